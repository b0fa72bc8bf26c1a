import { describe, expect, it } from 'vitest';
import { waypointReady } from '../../../helpers/mesh/waypoint-readiness.ts';
import {
  checkOnDeleteSequence,
  newZtunnelReady,
  ztunnelPodOnNode,
} from '../../../helpers/mesh/ztunnel-pods.ts';
import { condition, deployment, pod } from './fixtures.ts';

const gateway = (programmed: 'True' | 'False', generation = 1, observed = 1) => ({
  metadata: { name: 'waypoint', namespace: 'bookinfo', generation },
  status: { conditions: [{ ...condition('Programmed', programmed), observedGeneration: observed }] },
});
const dep = deployment({
  name: 'waypoint',
  namespace: 'bookinfo',
  container: 'istio-proxy',
  image: 'registry.istio.io/release/proxyv2:1.30.3',
});
const wpPod = (o: Partial<Parameters<typeof pod>[0]> = {}) =>
  pod({
    name: 'waypoint-5d9c8b7f9-abc12',
    namespace: 'bookinfo',
    annotations: { 'istio.io/rev': 'default-v1-30-3' },
    ...o,
  });

describe('waypointReady', () => {
  const ok = { gateway: gateway('True'), deployment: dep, version: 'v1.30.3', revision: 'default-v1-30-3' };
  it('done when Programmed, rolled out and pods on version and revision', () => {
    expect(waypointReady({ ...ok, pods: [wpPod()] }).done).toBe(true);
  });
  it('not done: Programmed for an older generation, an old-version pod, a wrong revision, a terminating pod, no pods', () => {
    expect(waypointReady({ ...ok, gateway: gateway('True', 2, 1), pods: [wpPod()] }).detail).toContain(
      'describes generation 1, not 2',
    );
    expect(
      waypointReady({ ...ok, pods: [wpPod({ image: 'registry.istio.io/release/proxyv2:1.28.10' })] }).detail,
    ).toContain('runs 1.28.10');
    expect(waypointReady({ ...ok, pods: [wpPod({ annotations: {} })] }).detail).toContain(
      'revision default, expected default-v1-30-3',
    );
    expect(
      waypointReady({
        ...ok,
        pods: [wpPod(), wpPod({ name: 'waypoint-old-x', deletionTimestamp: '2026-08-22T10:00:00Z' })],
      }).detail,
    ).toContain('still terminating');
    expect(waypointReady({ ...ok, pods: [] }).done).toBe(false);
  });
});

describe('ztunnel pods for OnDelete', () => {
  const zt = (name: string, node: string, image: string, extra: Partial<Parameters<typeof pod>[0]> = {}) =>
    pod({ name, namespace: 'ztunnel', node, image: `registry.istio.io/release/ztunnel:${image}`, ...extra });

  it('finds exactly one live pod on a node', () => {
    expect(ztunnelPodOnNode([zt('a', 'w1', '1.29.6'), zt('b', 'w2', '1.29.6')], 'w1')).toMatchObject({
      name: 'a',
    });
    expect(ztunnelPodOnNode([zt('b', 'w2', '1.29.6')], 'w1')).toBeInstanceOf(Error);
  });

  it('new pod must differ from the old, be Ready and on the version', () => {
    expect(newZtunnelReady([zt('a', 'w1', '1.29.6')], 'w1', { uid: 'uid-a' }, 'v1.30.3').detail).toContain(
      'still the old pod',
    );
    expect(
      newZtunnelReady([zt('c', 'w1', '1.30.3', { ready: false })], 'w1', { uid: 'uid-a' }, 'v1.30.3').done,
    ).toBe(false);
    expect(newZtunnelReady([zt('c', 'w1', '1.30.3')], 'w1', { uid: 'uid-a' }, 'v1.30.3').done).toBe(true);
  });

  const NEW = 'registry.istio.io/release/ztunnel:1.30.3';
  const OLD = 'registry.istio.io/release/ztunnel:1.29.6';
  it('accepts the documented order: delete old, then the new pod appears', () => {
    expect(
      checkOnDeleteSequence(
        [
          { at: 1, kind: 'requested-delete', node: 'w1', pod: 'a' },
          {
            at: 2,
            kind: 'pod',
            event: 'MODIFIED',
            pod: { name: 'a', node: 'w1', image: OLD, deletionTimestamp: 't' },
          },
          { at: 3, kind: 'pod', event: 'ADDED', pod: { name: 'c', node: 'w1', image: NEW } },
        ],
        NEW,
      ),
    ).toEqual([]);
  });

  it('flags a pod updated before its ztunnel was deleted, and an old pod deleted by someone else', () => {
    const problems = checkOnDeleteSequence(
      [
        { at: 1, kind: 'pod', event: 'ADDED', pod: { name: 'c', node: 'w1', image: NEW } },
        { at: 2, kind: 'pod', event: 'DELETED', pod: { name: 'b', node: 'w2', image: OLD } },
        { at: 3, kind: 'requested-delete', node: 'w1', pod: 'a' },
      ],
      NEW,
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('appeared on w1');
    expect(problems[1]).toContain('old ztunnel b on w2 was deleted without the suite asking');
  });
});
