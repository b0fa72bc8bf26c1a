import { describe, expect, it } from 'vitest';
import { daemonSetRolledOut, deploymentRolledOut } from '../../../helpers/k8s/rollout.ts';

describe('deploymentRolledOut', () => {
  const base = { metadata: { generation: 2 }, spec: { replicas: 3 } };
  it('is done when observed, all updated and available, and no old replicas remain', () => {
    const v = deploymentRolledOut({
      ...base,
      status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    });
    expect(v).toEqual({ done: true, detail: 'rolled out: 3/3 updated, 3/3 available, 3 total' });
  });
  it('is not done while the controller has not observed the new generation (stale Ready)', () => {
    const v = deploymentRolledOut({
      ...base,
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    });
    expect(v).toEqual({ done: false, detail: 'controller has not observed generation 2 (observed 1)' });
  });
  it('is not done while old replicas remain', () => {
    const v = deploymentRolledOut({
      ...base,
      status: { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 },
    });
    expect(v.done).toBe(false);
    expect(v.detail).toContain('1 old replicas remain');
  });
  it('is not done while updated replicas are missing or unavailable', () => {
    expect(
      deploymentRolledOut({
        ...base,
        status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 3 },
      }).detail,
    ).toContain('waiting for updated replicas');
    expect(
      deploymentRolledOut({
        ...base,
        status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 },
      }).detail,
    ).toContain('waiting for available replicas');
  });
});

describe('daemonSetRolledOut', () => {
  const ds = (status: Record<string, number>) => daemonSetRolledOut({ metadata: { generation: 5 }, status });
  it('is done when every scheduled pod is updated and available', () => {
    expect(
      ds({
        observedGeneration: 5,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
        numberUnavailable: 0,
      }),
    ).toEqual({ done: true, detail: 'rolled out: 3/3 updated, 3/3 available, 0 unavailable' });
  });
  it('is not done with Ready-but-old pods (OnDelete or a fresh bump)', () => {
    const v = ds({
      observedGeneration: 5,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 1,
      numberAvailable: 3,
    });
    expect(v).toEqual({
      done: false,
      detail: '1/3 updated, 3/3 available, 0 unavailable: waiting for updated pods',
    });
  });
  it('is not done before the controller observed the generation, or with unavailable pods', () => {
    expect(
      ds({ observedGeneration: 4, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })
        .done,
    ).toBe(false);
    expect(
      ds({
        observedGeneration: 5,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
        numberUnavailable: 1,
      }).detail,
    ).toContain('waiting for available pods');
  });
});
