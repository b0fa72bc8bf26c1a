/**
 * Against the REAL kube-apiserver (kwok cluster in its own network namespace) with the real Sail CRDs and, where
 * the prebuilt one is there, the real Sail operator process: proofs that this tier can fail, and that every
 * scenario object is accepted. Without the operator (the module proxy does not serve it) the CRD cases still run,
 * on the pinned upstream CRDs; the operator case is skipped naming why.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsLinks } from '../../clusters/kwok/netns.ts';
import { applyObject, serverSideApply } from '../../helpers/k8s/apply.ts';
import { getObject } from '../../helpers/k8s/read.ts';
import type { KubeObject } from '../../helpers/k8s/types.ts';
import { WaitTimeout, waitFor } from '../../helpers/k8s/wait.ts';
import { describeConditions } from '../../helpers/mesh/k8s-shapes.ts';
import { loadSamples } from '../../helpers/mesh/samples.ts';
import { renderPlan } from '../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../helpers/plan/scenarios/index.ts';
import { defaultUpgradePath, loadSupportedVersions } from '../../helpers/versions/supported.ts';
import {
  type ControlPlane,
  controlPlaneSkipReasons,
  installMeshCrds,
  sailCrdsDir,
  startControlPlane,
} from '../support/control-plane.ts';

const { controlPlane: skip, operator: noOperator } = await controlPlaneSkipReasons();

type Conditions = { type: string; status: string; reason?: string; message?: string }[];
const conditionsOf = (o: unknown): Conditions =>
  ((o as { status?: { conditions?: Conditions } } | undefined)?.status?.conditions ?? []) as Conditions;

describe.skipIf(skip !== undefined)(`real control plane${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane({ operator: noOperator === undefined });
    // With the operator, its Helm install and first reconcile put the CRDs there; without it, the pinned ones.
    if (noOperator !== undefined) await installMeshCrds(cp);
  }, 600_000);
  afterAll(async () => {
    await cp?.stop();
  }, 120_000);

  /** Server-side apply with the given query (dry-run, field validation) through the raw client. */
  const ssa = (object: KubeObject, query: Record<string, string>) =>
    serverSideApply(cp.kube, object, { fieldManager: 'control-plane-test', force: true, ...query });

  const plans = async () => {
    const crd = join(await sailCrdsDir(cp.ready), 'sailoperator.io_istios.yaml');
    const path = defaultUpgradePath(await loadSupportedVersions(crd), { kind: 'minor' });
    const samples = await loadSamples('v1.29.6', { manifestsDir: cp.ready.binaries.istioSamples });
    return SCENARIO_NAMES.map((name) =>
      renderPlan(name, {
        from: path.from,
        to: path.to,
        workers: 2,
        samples: { bookinfo: samples.bookinfo, bookinfoVersions: samples.bookinfoVersions },
        probeBundle: 'console.log("probe")',
        runId: 'control-plane-test',
      }),
    );
  };

  it('runs in a network namespace whose only interface is loopback', async () => {
    expect(await netnsLinks(cp.cluster.netns)).toEqual(['lo']);
  });

  it('the real Sail CRD rejects a field it lacks (not only our ajv pass)', async () => {
    const istio: KubeObject = {
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: { name: 'typo' },
      spec: { namespace: 'istio-system', updateStrategey: { type: 'InPlace' } },
    } as KubeObject;
    await expect(ssa(istio, { dryRun: 'All', fieldValidation: 'Strict' })).rejects.toThrow(/updateStrategey/);
  });

  it('the real Sail CRD refuses a version the operator does not support, naming the field', async () => {
    const istio = {
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: { name: 'too-new' },
      spec: { namespace: 'istio-system', version: 'v1.99.0' },
    } as KubeObject;
    await expect(ssa(istio, { dryRun: 'All' })).rejects.toThrow(/spec\.version/);
  });

  it('accepts every object of every scenario plan (server-side apply, dry run, strict fields)', async () => {
    const problems: string[] = [];
    for (const plan of await plans()) {
      const objects = plan.steps.flatMap((step) => (step.action === 'apply' ? step.objects : []));
      // Namespaces for real first: a dry-run create in a missing namespace is refused for that reason alone.
      for (const ns of objects.filter((o) => o.kind === 'Namespace')) await applyObject(cp.kube, ns);
      for (const object of objects) {
        if (object.kind === 'Namespace') continue;
        await ssa(object, { dryRun: 'All', fieldValidation: 'Strict' }).catch((error: unknown) => {
          problems.push(
            `${plan.scenario} ${object.kind} ${object.metadata.name}: ${(error as Error).message.slice(0, 300)}`,
          );
        });
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it.skipIf(noOperator !== undefined)(
    `the real operator reconciles an Istio; a wait on a condition Sail never sets names the last state${noOperator ? ` (skipped: ${noOperator})` : ''}`,
    async () => {
      const [plan] = await plans();
      const objects = (plan?.steps ?? []).flatMap((step) => (step.action === 'apply' ? step.objects : []));
      const istio = objects.find((o) => o.kind === 'Istio');
      expect(istio).toBeDefined();
      if (!istio) return;
      const ns = objects.find(
        (o) => o.kind === 'Namespace' && o.metadata.name === (istio.spec as { namespace?: string }).namespace,
      );
      if (ns) await applyObject(cp.kube, ns);
      await applyObject(cp.kube, istio);
      const ref = { apiVersion: istio.apiVersion, kind: 'Istio', name: istio.metadata.name };
      // The operator writes a Reconciled condition (True or False with its reason) within seconds.
      await waitFor(
        'Istio Reconciled condition',
        async () => conditionsOf(await getObject(cp.kube, ref)),
        (c) => c.some((x) => x.type === 'Reconciled'),
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      const error = await waitFor(
        'Istio condition NeverSetBySail=True',
        async () => conditionsOf(await getObject(cp.kube, ref)),
        (c) => c.some((x) => x.type === 'NeverSetBySail'),
        { timeoutMs: 3_000, intervalMs: 500, describe: (last) => describeConditions(last as Conditions) },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeout);
      expect((error as WaitTimeout).message).toMatch(/Reconciled/);
    },
    300_000,
  );
});
