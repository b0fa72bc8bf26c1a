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
      package: 'sailoperator',
      deployment: 'sail-operator',
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
    expect(csv.operatorPreinstalled).toEqual({
      via: 'olm',
      namespace: 'ops',
      name: 'sailoperator.v1.30.3',
      package: 'sailoperator',
      deployment: 'sail-operator',
    });
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
      deployment: 'sail-operator',
    });
    // A Deployment without the Sail CRDs is not an operator the installer can use.
    expect(decideFacts({ ...none, deployments: [deployment] }).operatorPreinstalled).toBeUndefined();
  });

  it('detects OSSM 3 (Subscription servicemeshoperator3) and names the Deployment OLM made for it', () => {
    const facts = decideFacts({
      ...none,
      groups: ['operators.coreos.com', 'sailoperator.io', 'route.openshift.io'],
      subscriptions: [
        {
          metadata: { name: 'servicemeshoperator3', namespace: 'openshift-operators' },
          spec: { name: 'servicemeshoperator3' },
        },
      ],
      deployments: [{ name: 'servicemesh-operator3', namespace: 'openshift-operators' }],
    });
    expect(facts).toEqual({
      openshift: true,
      operatorPreinstalled: {
        via: 'olm',
        namespace: 'openshift-operators',
        name: 'servicemeshoperator3',
        package: 'servicemeshoperator3',
        deployment: 'servicemesh-operator3',
      },
    });
    expect(describeFacts(facts)).toBe(
      'OpenShift; Sail operator already installed via OLM (servicemeshoperator3, servicemeshoperator3), Deployment openshift-operators/servicemesh-operator3 (Helm install skipped)',
    );
    // The OSSM 3 CSV alone (Subscription not readable) is enough too.
    const csv = decideFacts({
      ...none,
      csvs: [
        {
          metadata: { name: 'servicemeshoperator3.v3.2.0', namespace: 'openshift-operators' },
          status: { phase: 'Succeeded' },
        },
      ],
    });
    expect(csv.operatorPreinstalled).toMatchObject({
      package: 'servicemeshoperator3',
      deployment: 'servicemesh-operator3',
    });
  });
});
