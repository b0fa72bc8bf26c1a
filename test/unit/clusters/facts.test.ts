import { describe, expect, it } from 'vitest';
import { decideFacts, describeFacts } from '../../../clusters/facts.ts';

const none = { groups: [], subscriptions: [], csvs: [], deployments: [] };

describe('provider facts', () => {
  it('detects OpenShift from its API groups', () => {
    expect(decideFacts({ ...none, groups: ['apps', 'route.openshift.io'] }).openshift).toBe(true);
    expect(decideFacts({ ...none, groups: ['config.openshift.io'] }).openshift).toBe(true);
    expect(decideFacts({ ...none, groups: ['apps', 'networking.k8s.io'] }).openshift).toBe(false);
  });

  it('reports an OLM-installed Sail operator from its Subscription, so the Helm install is skipped', () => {
    const facts = decideFacts({
      ...none,
      groups: ['operators.coreos.com', 'sailoperator.io'],
      subscriptions: [
        { metadata: { name: 'other', namespace: 'openshift-operators' }, spec: { name: 'cert-manager' } },
        {
          metadata: { name: 'sailoperator', namespace: 'openshift-operators' },
          spec: { name: 'sailoperator' },
        },
      ],
    });
    expect(facts.operatorPreinstalled).toEqual({
      via: 'olm',
      namespace: 'openshift-operators',
      name: 'sailoperator',
    });
    expect(describeFacts(facts)).toMatch(/Helm install skipped/);
  });

  it('falls back to a succeeded sailoperator CSV, then to the CRD plus an operator Deployment', () => {
    const csv = decideFacts({
      ...none,
      csvs: [
        { metadata: { name: 'sailoperator.v1.30.3', namespace: 'ops' }, status: { phase: 'Succeeded' } },
      ],
    });
    expect(csv.operatorPreinstalled).toEqual({ via: 'olm', namespace: 'ops', name: 'sailoperator.v1.30.3' });
    const pending = decideFacts({
      ...none,
      csvs: [
        { metadata: { name: 'sailoperator.v1.30.3', namespace: 'ops' }, status: { phase: 'Installing' } },
      ],
    });
    expect(pending.operatorPreinstalled).toBeUndefined();
    const deployment = { name: 'sail-operator', namespace: 'sail-operator' };
    expect(
      decideFacts({ ...none, groups: ['sailoperator.io'], deployments: [deployment] }).operatorPreinstalled,
    ).toEqual({
      via: 'deployment',
      ...deployment,
    });
    // A Deployment without the Sail CRDs is not an operator the installer can use.
    expect(decideFacts({ ...none, deployments: [deployment] }).operatorPreinstalled).toBeUndefined();
  });
});
