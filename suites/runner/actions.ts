import { deleteObject } from '../../helpers/k8s/delete.ts';
import { drainNode } from '../../helpers/k8s/drain.ts';
import { Inventory } from '../../helpers/k8s/inventory.ts';
import { cordon, uncordon } from '../../helpers/k8s/nodes.ts';
import { mergePatch } from '../../helpers/k8s/patch.ts';
import { applyTracked, labelTracked } from '../../helpers/k8s/tracked-apply.ts';
import { describeRef, type ObjectRef, refOf } from '../../helpers/k8s/types.ts';
import { sameVersion, versionFromImage } from '../../helpers/mesh/images.ts';
import {
  deleteZtunnelOnNode,
  waitNewZtunnelReady,
  ztunnelPodOnNode,
} from '../../helpers/mesh/ztunnel-pods.ts';
import type { ApplyStep, DeleteStep, DrainStep, LabelStep, UpgradeStep } from '../../helpers/plan/types.ts';
import { upgradePatch } from '../../helpers/plan/upgrade-patch.ts';
import type { RunContext } from './context.ts';
import { nodeName } from './nodes.ts';
import { type Evidence, failed, json, passed, type StepOutcome } from './outcome.ts';

const refKey = (ref: ObjectRef): string => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

const tracking = (ctx: RunContext) => ({
  runId: ctx.config.runId,
  inventory: new Inventory(ctx.config.runDir),
  signal: ctx.signal,
});

export async function runApply(step: ApplyStep, ctx: RunContext): Promise<StepOutcome> {
  // Recorded in the run's inventory; an object that existed before the run is refused, never taken over.
  const applied = await applyTracked(ctx.kube, step.objects, tracking(ctx));
  const refs = applied.map((o) => describeRef(refOf(o)));
  return passed(`applied ${refs.length} object(s) from ${step.file}`, [json('applied objects', refs)]);
}

export async function runLabel(step: LabelStep, ctx: RunContext): Promise<StepOutcome> {
  const target: ObjectRef =
    'node' in step.target
      ? { apiVersion: 'v1', kind: 'Node', name: nodeName(ctx, step.target.node) }
      : step.target;
  // Nodes and protected namespaces are not the run's: the previous values are recorded and restored by the sweep.
  const stored = await labelTracked(ctx.kube, target, step.labels, tracking(ctx));
  // Read back: a label the API did not keep (admission, a typo in the plan) is a failure, not a silent pass.
  const labels = stored.metadata.labels ?? {};
  const wrong = Object.entries(step.labels).filter(([k, v]) => (v === null ? k in labels : labels[k] !== v));
  if (wrong.length > 0) {
    return failed(`labels on ${describeRef(target)} not as set: ${wrong.map(([k]) => k).join(', ')}`, [
      json('labels now', labels),
    ]);
  }
  return passed(`labelled ${describeRef(target)}`, [json('labels now', labels)]);
}

export async function runUpgrade(step: UpgradeStep, ctx: RunContext): Promise<StepOutcome> {
  const stored = await mergePatch(ctx.kube, step.target, upgradePatch(step), { signal: ctx.signal });
  const generation = Number(stored.metadata.generation ?? 0);
  ctx.generations.set(refKey(step.target), generation);
  const spec = (stored.spec ?? {}) as Record<string, unknown>;
  if (spec.version !== step.version) {
    return failed(
      `${describeRef(step.target)} spec.version is ${String(spec.version)} after the patch, not ${step.version}`,
    );
  }
  return passed(`${describeRef(step.target)} now asks for ${step.version} (generation ${generation})`, [
    json('spec after patch', spec),
  ]);
}

export async function runDelete(step: DeleteStep, ctx: RunContext): Promise<StepOutcome> {
  const results: string[] = [];
  for (const ref of step.objects) {
    const existed = await deleteObject(ctx.kube, ref, {
      propagationPolicy: 'Foreground',
      signal: ctx.signal,
    });
    results.push(`${describeRef(ref)}: ${existed ? 'deleted' : 'already absent'}`);
    // A generation recorded by an earlier upgrade belongs to the deleted object: its re-created successor starts
    // at generation 1, and a `sail-ready` wait holding it to the old number would never end.
    ctx.generations.delete(refKey(ref));
  }
  return passed(`deleted ${step.objects.length} object(s)`, [json('deleted', results)]);
}

/**
 * The documented OnDelete procedure for one node. Uncordons in `finally`, so a failure never leaves a cordoned
 * node behind, and records the drain window for the node-drain connection judgement.
 */
export async function runDrain(step: DrainStep, ctx: RunContext): Promise<StepOutcome> {
  const node = nodeName(ctx, step.node);
  const start = Date.now();
  const evidence: Evidence[] = [];
  try {
    await cordon(ctx.kube, node);
    const drained = await drainNode(ctx.kube, node, {
      timeoutMs: step.timeoutMs,
      ignoreDaemonSets: true,
      deleteEmptyDirData: true,
      signal: ctx.signal,
    });
    evidence.push(json('drain', drained));
    const pods = await ctx.mesh.list({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: step.ztunnel.namespace,
      labelSelector: step.ztunnel.selector,
    });
    const old = ztunnelPodOnNode(pods, node);
    if (old instanceof Error) return failed(`no ztunnel pod on ${node}: ${old.message}`, evidence);
    evidence.push(json('ztunnel before delete', old));
    const running = versionFromImage(old.image);
    if (running !== undefined && !sameVersion(running, step.ztunnel.fromVersion)) {
      return failed(
        `ztunnel on ${node} already runs ${running} before its pod was deleted (OnDelete must keep ${step.ztunnel.fromVersion})`,
        evidence,
      );
    }
    const deleted = await deleteZtunnelOnNode(ctx.mesh, node, step.ztunnel.namespace);
    const ready = await waitNewZtunnelReady(
      ctx.mesh,
      { node, old: deleted, version: step.ztunnel.toVersion, namespace: step.ztunnel.namespace },
      { timeoutMs: step.timeoutMs, signal: ctx.signal },
    );
    evidence.push(json('ztunnel after', ready));
  } finally {
    // Record the window first: a failing uncordon must not hide when the node was drained.
    ctx.drainWindows.push({ node, start, end: Date.now() });
    await uncordon(ctx.kube, node);
  }
  return passed(`drained ${node}, replaced its ztunnel with ${step.ztunnel.toVersion}, uncordoned`, evidence);
}
