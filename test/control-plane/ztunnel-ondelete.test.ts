/**
 * The ztunnel-node-drain scenario's own IstioCNI/Istio/ZTunnel (ZTunnel `values.ztunnel.updateStrategy:
 * {type: OnDelete}`, which Helm merges with the ztunnel chart's `rollingUpdate` block) given to the REAL Sail
 * operator on the REAL apiserver: what DaemonSet the operator renders, whether the apiserver takes it, and whether
 * the real DaemonSet controller then keeps OnDelete (a version bump replaces no pod until one is deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePatch } from '../../helpers/k8s/patch.ts';
import { getDaemonSet, listNodes, listPods } from '../../helpers/k8s/read.ts';
import type { KubeObject } from '../../helpers/k8s/types.ts';
import { waitFor } from '../../helpers/k8s/wait.ts';
import { sameVersion, versionFromImage } from '../../helpers/mesh/images.ts';
import type { MeshKube } from '../../helpers/mesh/kube.ts';
import { meshKube } from '../../helpers/mesh/kube-adapter.ts';
import { daemonSetRolledOut, sailReady } from '../../helpers/mesh/readiness.ts';
import { loadSamples } from '../../helpers/mesh/samples.ts';
import { SAIL_API, waitSailReady } from '../../helpers/mesh/waits.ts';
import { waitNewZtunnelReady, ZTUNNEL_SELECTOR } from '../../helpers/mesh/ztunnel-pods.ts';
import { renderPlan } from '../../helpers/plan/render.ts';
import type { Plan, Step } from '../../helpers/plan/types.ts';
import { upgradePatch } from '../../helpers/plan/upgrade-patch.ts';
import { defaultUpgradePath, loadSupportedVersions } from '../../helpers/versions/supported.ts';
import { formatSail } from '../../helpers/versions/version.ts';
import { type ControlPlane, controlPlaneSkipReason, startControlPlane } from '../support/control-plane.ts';

const skip = await controlPlaneSkipReason({ operator: true });
const WAIT = { timeoutMs: 180_000, intervalMs: 500 };
const ZTUNNEL = { apiVersion: SAIL_API, kind: 'ZTunnel', name: 'default' } as const;
const ZTUNNEL_DS = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  namespace: 'ztunnel',
  name: 'ztunnel',
} as const;
/** The DaemonSet strategy the real operator renders for `values.ztunnel.updateStrategy: {type: OnDelete}`. */
const RENDERED_ONDELETE = { type: 'OnDelete', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
const strategyOf = (ds: unknown): unknown =>
  (ds as { spec?: { updateStrategy?: unknown } } | undefined)?.spec?.updateStrategy;

describe.skipIf(skip !== undefined)(
  `real Sail operator renders the ztunnel-node-drain ZTunnel (OnDelete)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cp: ControlPlane;
    let mesh: MeshKube;
    let plan: Plan;

    beforeAll(async () => {
      cp = await startControlPlane({ operator: true });
      mesh = meshKube(cp.kube);
      const crd = `${cp.ready.binaries.sailChart}/crds/sailoperator.io_istios.yaml`;
      const path = defaultUpgradePath(await loadSupportedVersions(crd), { kind: 'minor' });
      const samples = await loadSamples(formatSail(path.from), {
        manifestsDir: cp.ready.binaries.istioSamples,
      });
      plan = renderPlan('ztunnel-node-drain', {
        from: path.from,
        to: path.to,
        workers: 2,
        samples: { bookinfo: samples.bookinfo, bookinfoVersions: samples.bookinfoVersions },
        probeBundle: 'console.log("probe")',
        runId: 'ztunnel-ondelete-test',
      });
      // The plan's own mesh objects, in the plan's order (namespaces, Istio, IstioCNI, ZTunnel).
      for (const object of meshObjects(plan)) await mesh.apply([object]);
    }, 600_000);
    afterAll(async () => {
      await cp?.stop();
    }, 120_000);

    it('the plan asks for OnDelete and nothing else (the chart supplies rollingUpdate)', () => {
      const ztunnel = meshObjects(plan).find((o) => o.kind === 'ZTunnel');
      expect(ztunnel?.spec).toMatchObject({ values: { ztunnel: { updateStrategy: { type: 'OnDelete' } } } });
    });

    it('the ZTunnel goes Ready and Reconciled on its generation', async () => {
      const judged = await waitSailReady(mesh, 'ZTunnel', 'default', { namespaces: ['ztunnel'] }, WAIT);
      expect(judged.done).toBe(true);
      const stored = await mesh.get(ZTUNNEL);
      expect(sailReady(stored).detail).toMatch(/Reconciled=True/);
    }, 240_000);

    it('the apiserver accepted the rendered DaemonSet: OnDelete, with the chart rollingUpdate block left in', async () => {
      const ds = await waitFor(
        'DaemonSet ztunnel/ztunnel',
        () => mesh.get(ZTUNNEL_DS),
        (d) => d !== undefined,
        WAIT,
      );
      // What Sail 1.30.3 + Helm + kube-apiserver 1.34 really store: Helm merges the user's {type: OnDelete} into the
      // chart's default {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}, and the apiserver
      // accepts rollingUpdate beside OnDelete for a DaemonSet (it refuses that only for a Deployment's Recreate).
      // Harmless: the DaemonSet controller ignores rollingUpdate under OnDelete (the next test proves it).
      expect(strategyOf(ds)).toEqual(RENDERED_ONDELETE);
    }, 240_000);

    it('the DaemonSet rolls out on every kwok node with the from-version image', async () => {
      const nodes = await listNodes(cp.kube);
      const version = fromVersion(plan);
      const rolled = await waitFor(
        'DaemonSet ztunnel/ztunnel rolled out',
        async () =>
          daemonSetRolledOut(await mesh.get(ZTUNNEL_DS), {
            version,
            container: 'istio-proxy',
          }),
        (r) => r.done,
        { ...WAIT, describe: (last) => (last as { detail: string }).detail },
      );
      expect(rolled.detail).toContain(`desired=${nodes.length} updated=${nodes.length}`);
      const pods = await listPods(cp.kube, { namespace: 'ztunnel', labelSelector: ZTUNNEL_SELECTOR });
      expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(nodes.length);
    }, 240_000);

    it('a version bump replaces no pod by itself; a deleted pod comes back on the new version', async () => {
      const before = await listPods(cp.kube, { namespace: 'ztunnel', labelSelector: ZTUNNEL_SELECTOR });
      // The plan's own ZTunnel upgrade step, sent as the runner sends it (a JSON merge patch).
      const step = ztunnelUpgrade(plan);
      const to = step.version;
      await mergePatch(cp.kube, step.target, upgradePatch(step));
      // Ready stays True under OnDelete (the stale-Ready trap): wait for the operator and the DaemonSet
      // controller to have acted on the new generation, then look at the pods.
      await waitSailReady(mesh, 'ZTunnel', 'default', { version: to, namespaces: ['ztunnel'] }, WAIT);
      const ds = await waitFor(
        'DaemonSet ztunnel/ztunnel observes the bumped template',
        () => getDaemonSet(cp.kube, 'ztunnel', 'ztunnel'),
        (d) =>
          d?.status?.observedGeneration === d?.metadata?.generation &&
          (d?.spec?.template?.spec?.containers ?? []).some((c) => sameVersion(versionFromImage(c.image), to)),
        WAIT,
      );
      expect(strategyOf(await mesh.get(ZTUNNEL_DS))).toEqual(RENDERED_ONDELETE);
      expect(ds?.status?.updatedNumberScheduled ?? 0).toBe(0);
      const after = await listPods(cp.kube, { namespace: 'ztunnel', labelSelector: ZTUNNEL_SELECTOR });
      expect(after.map((p) => p.metadata?.uid).sort()).toEqual(before.map((p) => p.metadata?.uid).sort());

      const victim = after[0];
      const node = victim?.spec?.nodeName;
      expect(node).toBeDefined();
      if (!victim?.metadata?.name || !node) return;
      await mesh.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'ztunnel', name: victim.metadata.name });
      const replaced = await waitNewZtunnelReady(
        mesh,
        { node, old: { uid: victim.metadata.uid }, version: to },
        WAIT,
      );
      expect(replaced.done).toBe(true);
      // Only the deleted pod was replaced.
      const now = await listPods(cp.kube, { namespace: 'ztunnel', labelSelector: ZTUNNEL_SELECTOR });
      const kept = now.filter((p) => p.metadata?.uid !== replaced.pod?.uid).map((p) => p.metadata?.uid);
      expect(kept.sort()).toEqual(
        after
          .filter((p) => p.metadata?.uid !== victim.metadata?.uid)
          .map((p) => p.metadata?.uid)
          .sort(),
      );
    }, 300_000);
  },
);

function meshObjects(plan: Plan): KubeObject[] {
  const mesh = new Set(['istio-system', 'istio-cni', 'ztunnel']);
  return plan.steps
    .flatMap((step) => (step.action === 'apply' ? step.objects : []))
    .filter(
      (o) =>
        (o.kind === 'Namespace' && mesh.has(o.metadata.name)) ||
        (o.apiVersion === SAIL_API && ['Istio', 'IstioCNI', 'ZTunnel'].includes(o.kind)),
    );
}

function fromVersion(plan: Plan): string {
  const spec = meshObjects(plan).find((o) => o.kind === 'ZTunnel')?.spec as { version?: string } | undefined;
  if (!spec?.version) throw new Error('the ztunnel-node-drain plan installs no ZTunnel');
  return spec.version;
}

function ztunnelUpgrade(plan: Plan): Extract<Step, { action: 'upgrade' }> {
  for (const step of plan.steps) if (step.action === 'upgrade' && step.target.kind === 'ZTunnel') return step;
  throw new Error('the ztunnel-node-drain plan has no ZTunnel upgrade step');
}
