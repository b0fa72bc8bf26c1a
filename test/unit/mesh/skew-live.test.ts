import { describe, expect, it } from 'vitest';
import { meshVersionsFromObserved } from '../../../helpers/mesh/skew-live.ts';
import { checkMeshSkew, formatPlain } from '../../../helpers/versions/index.ts';
import { pod, sailCr } from './fixtures.ts';

const img = (name: string, v: string) => `registry.istio.io/release/${name}:${v}`;

describe('meshVersionsFromObserved', () => {
  const observed = (ztunnelVersions: string[]) => ({
    istio: sailCr('Istio', {
      version: 'v1.30.3',
      strategy: 'RevisionBased',
      activeRevisionName: 'default-v1-30-3',
    }),
    cni: sailCr('IstioCNI', { version: 'v1.30.3' }),
    ztunnel: sailCr('ZTunnel', { version: 'v1.30.3' }),
    istiodPods: [
      pod({
        name: 'istiod-default-v1-30-3-7b9f8c5d6-xyz78',
        namespace: 'istio-system',
        container: 'discovery',
        image: img('pilot', '1.30.3'),
        labels: { 'istio.io/rev': 'default-v1-30-3' },
      }),
      pod({
        name: 'istiod-default-v1-28-10-5c6d7e8f9-abcde',
        namespace: 'istio-system',
        container: 'discovery',
        image: img('pilot', '1.28.10'),
        labels: { 'istio.io/rev': 'default-v1-28-10' },
      }),
    ],
    cniPods: [
      pod({
        name: 'istio-cni-node-a',
        namespace: 'istio-cni',
        container: 'install-cni',
        image: img('install-cni', '1.30.3'),
      }),
    ],
    ztunnelPods: ztunnelVersions.map((v, i) =>
      pod({ name: `ztunnel-${i}`, namespace: 'ztunnel', node: `w${i}`, image: img('ztunnel', v) }),
    ),
    waypointPods: [
      pod({ name: 'waypoint-5d9c8b7f9-abc12', namespace: 'bookinfo', image: img('proxyv2', '1.30.3') }),
    ],
  });

  it('takes the active revision istiod, and the oldest ztunnel still running', () => {
    const { versions, problems } = meshVersionsFromObserved(observed(['1.30.3', '1.28.10']));
    expect(problems).toEqual([]);
    expect(versions && formatPlain(versions.controlPlane)).toBe('1.30.3');
    expect(versions && formatPlain(versions.ztunnel)).toBe('1.28.10');
    // An n-2 ztunnel left behind by a RevisionBased jump is outside the skew policy.
    expect(versions && checkMeshSkew(versions).ok).toBe(false);
  });

  it('a settled mesh passes the skew check', () => {
    const { versions } = meshVersionsFromObserved(observed(['1.30.3', '1.30.3']));
    expect(versions && checkMeshSkew(versions)).toEqual({ ok: true });
  });

  it('a fully digest-pinned mesh (OSSM 3): versions from the Sail CRs and the waypoint from syncz, no problems', () => {
    const digest = (name: string) =>
      `registry.redhat.io/openshift-service-mesh/${name}@sha256:${'ab'.repeat(32)}`;
    const pinned = observed(['1.30.3', '1.30.3']);
    const byDigest = (pods: readonly unknown[], name: string) =>
      pods.map((p) => {
        const copy = structuredClone(p) as { spec: { containers: { image: string }[] } };
        for (const c of copy.spec.containers) c.image = digest(name);
        return copy;
      });
    const observedPinned = {
      ...pinned,
      istiodPods: byDigest(pinned.istiodPods.slice(0, 1), 'istio-pilot-rhel9'),
      cniPods: byDigest(pinned.cniPods, 'istio-cni-rhel9'),
      ztunnelPods: byDigest(pinned.ztunnelPods, 'istio-ztunnel-rhel9'),
      waypointPods: byDigest(pinned.waypointPods, 'istio-proxyv2-rhel9'),
    };
    // Without syncz the waypoint has no version: reported, not guessed.
    expect(meshVersionsFromObserved(observedPinned).problems).toEqual([
      "waypoint bookinfo/waypoint-5d9c8b7f9-abc12: no version in its image and none reported in istiod's syncz",
    ]);
    const { versions, problems, observations } = meshVersionsFromObserved({
      ...observedPinned,
      syncz: [{ proxy: 'waypoint-5d9c8b7f9-abc12', namespace: 'bookinfo', version: '1.30.3' }],
    });
    expect(problems).toEqual([]);
    expect(versions && formatPlain(versions.controlPlane)).toBe('1.30.3');
    expect(versions && formatPlain(versions.cni)).toBe('1.30.3');
    expect(versions && formatPlain(versions.ztunnel)).toBe('1.30.3');
    expect(versions?.waypoints?.map((w) => formatPlain(w.version))).toEqual(['1.30.3']);
    expect(observations.find((o) => o.component === 'waypoint')?.source).toBe('syncz');
    expect(versions && checkMeshSkew(versions)).toEqual({ ok: true });
  });
});
