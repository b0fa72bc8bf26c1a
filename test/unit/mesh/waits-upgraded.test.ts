import { describe, expect, it } from 'vitest';
import type { KubeObject, ObjectRef } from '../../../helpers/k8s/types.ts';
import type { MeshKube } from '../../../helpers/mesh/kube.ts';
import { waitCniUpgraded, waitZtunnelUpgraded } from '../../../helpers/mesh/waits.ts';
import { daemonSet, sailCr } from './fixtures.ts';

/** A kube that answers `get` from `objects` (keyed kind/namespace/name) and records what was read. */
function fakeKube(objects: Record<string, unknown>): MeshKube & { reads: string[] } {
  const reads: string[] = [];
  const unused = (): never => {
    throw new Error('not used by this wait');
  };
  return {
    reads,
    get: async (ref: ObjectRef) => {
      const key = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
      reads.push(key);
      return objects[key] as KubeObject | undefined;
    },
    list: unused,
    apply: unused,
    delete: unused,
    portForward: unused,
    logs: unused,
    events: unused,
  };
}

/** A settled CR at v1.30.3 and its rolled-out DaemonSet, keyed the way `fakeKube` looks them up. */
function settled(
  kind: 'IstioCNI' | 'ZTunnel',
  daemonSetRef: { name: string; namespace: string; container: string },
): Record<string, unknown> {
  return {
    [`${kind}//default`]: sailCr(kind, { version: 'v1.30.3' }),
    [`DaemonSet/${daemonSetRef.namespace}/${daemonSetRef.name}`]: daemonSet({
      ...daemonSetRef,
      image: `r/${daemonSetRef.container}:1.30.3`,
    }),
  };
}

describe('waitCniUpgraded / waitZtunnelUpgraded', () => {
  const cni = { name: 'istio-cni-node', container: 'install-cni' };
  const ztunnel = { name: 'ztunnel', container: 'istio-proxy' };

  it.each([
    ['istio-cni (default)', undefined, 'istio-cni'],
    ['a given namespace', 'cni-ns', 'cni-ns'],
  ])(
    'waitCniUpgraded reads IstioCNI default and DaemonSet istio-cni-node in %s',
    async (_, given, namespace) => {
      const kube = fakeKube(settled('IstioCNI', { ...cni, namespace }));
      const expectArg =
        given === undefined ? { version: 'v1.30.3' } : { version: 'v1.30.3', namespace: given };
      const r = await waitCniUpgraded(kube, expectArg, { timeoutMs: 1000 });
      expect(r.done).toBe(true);
      expect(kube.reads).toEqual(['IstioCNI//default', `DaemonSet/${namespace}/istio-cni-node`]);
    },
  );

  it('waitZtunnelUpgraded defaults to namespace ztunnel and DaemonSet ztunnel', async () => {
    const kube = fakeKube(settled('ZTunnel', { ...ztunnel, namespace: 'ztunnel' }));
    const r = await waitZtunnelUpgraded(kube, { version: 'v1.30.3' }, { timeoutMs: 1000 });
    expect(r.done).toBe(true);
    expect(kube.reads).toEqual(['ZTunnel//default', 'DaemonSet/ztunnel/ztunnel']);
  });

  it('is not done while the DaemonSet is missing, and names the wait on timeout', async () => {
    const kube = fakeKube({ 'ZTunnel//default': sailCr('ZTunnel', { version: 'v1.30.3' }) });
    await expect(
      waitZtunnelUpgraded(kube, { version: 'v1.30.3' }, { timeoutMs: 1, intervalMs: 1 }),
    ).rejects.toThrow(/ZTunnel default upgraded to v1.30.3/);
  });
});
