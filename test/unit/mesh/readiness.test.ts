import { describe, expect, it } from 'vitest';
import {
  cniUpgraded,
  daemonSetRolledOut,
  deploymentRolledOut,
  istioUpgraded,
  sailReady,
  ztunnelUpgraded,
} from '../../../helpers/mesh/readiness.ts';
import { condition, daemonSet, deployment, sailCr } from './fixtures.ts';

describe('sailReady', () => {
  it('is done when Ready and Reconciled are True on the observed generation and version', () => {
    const r = sailReady(sailCr('ZTunnel', { version: 'v1.30.3' }), { version: '1.30.3' });
    expect(r.done).toBe(true);
    expect(r.detail).toContain('Ready=True');
  });

  it('stale-Ready trap: Ready True but the new generation is not observed yet', () => {
    const r = sailReady(sailCr('ZTunnel', { version: 'v1.30.3', generation: 3, observedGeneration: 2 }), {
      version: 'v1.30.3',
    });
    expect(r.done).toBe(false);
    expect(r.detail).toMatch(/observedGeneration 2 ≠ metadata.generation 3/);
  });

  it('not done when spec.version differs from the expected one', () => {
    const r = sailReady(sailCr('IstioCNI', { version: 'v1.29.6' }), { version: 'v1.30.3' });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('spec.version is v1.29.6, expected v1.30.3');
  });

  it('IstioRevision carries the resolved version of an alias (sail-operator pkg/revision/reconcile.go)', () => {
    const rev = (version: string) => sailCr('IstioRevision', { name: 'default-v1-30-latest', version });
    expect(sailReady(rev('v1.30.3'), { version: 'v1.30-latest' }).done).toBe(true);
    expect(sailReady(rev('v1.29.6'), { version: 'v1.30-latest' }).done).toBe(false);
    // Only IstioRevision is rewritten by Sail: the user's own CRs keep the alias literally.
    expect(sailReady(sailCr('ZTunnel', { version: 'v1.30.3' }), { version: 'v1.30-latest' }).done).toBe(
      false,
    );
  });

  it('names the failing condition with its reason and message', () => {
    const cr = sailCr('Istio', {
      conditions: [
        condition('Reconciled', 'True'),
        condition('Ready', 'False', 'IstiodNotReady', 'istiod not ready'),
      ],
    });
    const r = sailReady(cr);
    expect(r.done).toBe(false);
    expect(r.detail).toContain('Ready is False (IstiodNotReady): istiod not ready');
  });

  it('requires Reconciled too', () => {
    const cr = sailCr('IstioRevision', {
      conditions: [condition('Ready', 'True'), condition('Reconciled', 'False', 'ReconcileError')],
    });
    expect(sailReady(cr).done).toBe(false);
  });

  it('uses InUse for IstioRevisionTag, which has no Ready', () => {
    expect(sailReady(sailCr('IstioRevisionTag')).done).toBe(true);
    const notInUse = sailCr('IstioRevisionTag', {
      conditions: [condition('Reconciled', 'True'), condition('InUse', 'False', 'NotReferenced')],
    });
    expect(sailReady(notInUse).detail).toContain('InUse is False');
  });

  it('a missing object or status is not done, not a crash', () => {
    expect(sailReady(undefined).done).toBe(false);
    expect(sailReady({ kind: 'ZTunnel', metadata: { name: 'default', generation: 1 } }).detail).toContain(
      'not reported',
    );
  });
});

describe('workload rollouts', () => {
  const ztDs = (o: Partial<Parameters<typeof daemonSet>[0]> = {}) =>
    daemonSet({
      name: 'ztunnel',
      namespace: 'ztunnel',
      container: 'istio-proxy',
      image: 'registry.istio.io/release/ztunnel:1.30.3',
      ...o,
    });

  it('DaemonSet done only when every scheduled pod runs the current template', () => {
    expect(daemonSetRolledOut(ztDs()).done).toBe(true);
    const r = daemonSetRolledOut(ztDs({ updated: 1 }));
    expect(r.done).toBe(false);
    expect(r.detail).toContain('1/3 pods run the current template');
  });

  it('DaemonSet with an unobserved generation is not done', () => {
    expect(daemonSetRolledOut(ztDs({ generation: 5, observedGeneration: 4 })).detail).toContain(
      'not observed the latest template',
    );
  });

  it('DaemonSet on no node is not done', () => {
    expect(daemonSetRolledOut(ztDs({ desired: 0 })).done).toBe(false);
  });

  it('checks the image tag against the version, ignoring the distroless variant and digests', () => {
    expect(
      daemonSetRolledOut(ztDs({ image: 'registry.istio.io/release/ztunnel:1.30.3-distroless' }), {
        version: 'v1.30.3',
        container: 'istio-proxy',
      }).done,
    ).toBe(true);
    expect(
      daemonSetRolledOut(ztDs({ image: 'registry.istio.io/release/ztunnel:1.29.6' }), {
        version: 'v1.30.3',
        container: 'istio-proxy',
      }).detail,
    ).toContain('expected version v1.30.3');
    expect(
      daemonSetRolledOut(ztDs({ image: 'registry.redhat.io/ossm/ztunnel@sha256:abc' }), {
        version: 'v1.30.3',
        container: 'istio-proxy',
      }).done,
    ).toBe(true);
  });

  it('Deployment with replicas of an older template left is not done', () => {
    const dep = deployment({
      name: 'istiod',
      namespace: 'istio-system',
      container: 'discovery',
      image: 'x/pilot:1.30.3',
      replicas: 2,
      current: 3,
    });
    const r = deploymentRolledOut(dep);
    expect(r.done).toBe(false);
    expect(r.detail).toContain('1 replicas of an older template remain');
  });
});

describe('composite upgrade checks (stale-Ready trap)', () => {
  it('ztunnelUpgraded: CR Ready on the new version but the DaemonSet not rolled out → not done, says why', () => {
    const r = ztunnelUpgraded({
      ztunnel: sailCr('ZTunnel', { version: 'v1.30.3' }),
      daemonSet: daemonSet({
        name: 'ztunnel',
        namespace: 'ztunnel',
        container: 'istio-proxy',
        image: 'r/ztunnel:1.30.3',
        strategy: 'OnDelete',
        updated: 0,
      }),
      version: 'v1.30.3',
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('0/3 pods run the current template');
    expect(r.detail).toContain('strategy=OnDelete');
  });

  it('cniUpgraded done when both CR and DaemonSet are settled', () => {
    const r = cniUpgraded({
      cni: sailCr('IstioCNI', { version: 'v1.30.3' }),
      daemonSet: daemonSet({
        name: 'istio-cni-node',
        namespace: 'istio-cni',
        container: 'install-cni',
        image: 'r/install-cni:1.30.3',
      }),
      version: 'v1.30.3',
    });
    expect(r).toMatchObject({ done: true });
  });

  it('istioUpgraded requires the active revision the strategy implies', () => {
    const base = {
      revision: sailCr('IstioRevision', { name: 'default-v1-30-3', version: 'v1.30.3' }),
      istiod: deployment({
        name: 'istiod-default-v1-30-3',
        namespace: 'istio-system',
        container: 'discovery',
        image: 'r/pilot:1.30.3',
      }),
      version: 'v1.30.3',
      expectedRevision: 'default-v1-30-3',
    };
    const stillOld = sailCr('Istio', {
      version: 'v1.30.3',
      strategy: 'RevisionBased',
      activeRevisionName: 'default-v1-28-10',
    });
    expect(istioUpgraded({ ...base, istio: stillOld }).detail).toContain(
      'expected active revision default-v1-30-3',
    );
    const moved = sailCr('Istio', {
      version: 'v1.30.3',
      strategy: 'RevisionBased',
      activeRevisionName: 'default-v1-30-3',
    });
    expect(istioUpgraded({ ...base, istio: moved }).done).toBe(true);
  });
});
