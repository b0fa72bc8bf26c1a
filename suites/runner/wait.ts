import { getObject } from '../../helpers/k8s/read.ts';
import { describeRef } from '../../helpers/k8s/types.ts';
import {
  allGone,
  podsReady,
  revisionGone,
  revisionsAsExpected,
  tagPointsTo,
} from '../../helpers/mesh/conditions.ts';
import {
  daemonSetRolledOut,
  deploymentRolledOut,
  type Readiness,
  type SailKind,
  sailReady,
} from '../../helpers/mesh/readiness.ts';
import { istiodName } from '../../helpers/mesh/revisions.ts';
import { SAIL_API, waitJudged, waitWaypointReady } from '../../helpers/mesh/waits.ts';
import { gatewayProgrammed } from '../../helpers/mesh/waypoint-readiness.ts';
import type { WaitCondition, WaitStep } from '../../helpers/plan/types.ts';
import type { RunContext } from './context.ts';
import { passed, type StepOutcome, text } from './outcome.ts';

/** Where a Sail CR's workloads run: their pods and events explain a wait that timed out. */
const SAIL_NAMESPACE: Record<SailKind, string> = {
  Istio: 'istio-system',
  IstioRevision: 'istio-system',
  IstioRevisionTag: 'istio-system',
  IstioCNI: 'istio-cni',
  ZTunnel: 'ztunnel',
};

/** Every wait condition but the waypoint rollout, which the mesh layer's composite wait serves. */
type JudgedCondition = Exclude<WaitCondition, { kind: 'waypoint-rolled-out' }>;

interface Judge {
  what: string;
  read: () => Promise<Readiness>;
  /** Namespaces whose pods and events a timeout reports. */
  namespaces: readonly string[];
}

function sailGenerationCaughtUp(
  ctx: RunContext,
  condition: Extract<WaitCondition, { kind: 'sail-ready' }>,
  object: unknown,
): Readiness | undefined {
  const key = `${condition.target.kind}/${condition.target.namespace ?? ''}/${condition.target.name}`;
  const patched = ctx.generations.get(key);
  if (patched === undefined) return undefined;
  const observed = Number(
    (object as { status?: { observedGeneration?: number } } | undefined)?.status?.observedGeneration ?? 0,
  );
  return observed >= patched
    ? undefined
    : {
        done: false,
        detail: `${describeRef(condition.target)} observedGeneration ${observed} < ${patched} (the upgrade patch) — not done`,
      };
}

function judge(ctx: RunContext, condition: JudgedCondition): Judge {
  const get = (ref: Parameters<typeof ctx.mesh.get>[0]) => ctx.mesh.get(ref);
  switch (condition.kind) {
    case 'sail-ready':
      return {
        what: `${describeRef(condition.target)} Ready${condition.version ? ` on ${condition.version}` : ''}`,
        namespaces: [SAIL_NAMESPACE[condition.target.kind as SailKind] ?? 'istio-system'],
        read: async () => {
          const object = await get(condition.target);
          const behind = sailGenerationCaughtUp(ctx, condition, object);
          if (behind) return behind;
          return sailReady(object, condition.version ? { version: condition.version } : {});
        },
      };
    case 'istiod-rolled-out':
      return {
        what: `istiod of revision ${condition.revision} rolled out on ${condition.version}`,
        namespaces: [condition.namespace],
        read: async () =>
          deploymentRolledOut(
            await get({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: condition.namespace,
              name: istiodName(condition.revision),
            }),
            { version: condition.version, container: 'discovery' },
          ),
      };
    case 'daemonset-rolled-out':
      return {
        what: `DaemonSet ${condition.namespace}/${condition.name} rolled out on ${condition.version}`,
        namespaces: [condition.namespace],
        read: async () =>
          daemonSetRolledOut(
            await get({
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              namespace: condition.namespace,
              name: condition.name,
            }),
            {
              version: condition.version,
              container: condition.name === 'ztunnel' ? 'istio-proxy' : 'install-cni',
            },
          ),
      };
    case 'revisions':
      return {
        what: `Istio ${condition.istio} on revision ${condition.activeRevision}${condition.total === undefined ? '' : ` (${condition.total} in total)`}`,
        namespaces: ['istio-system'],
        read: async () =>
          revisionsAsExpected({
            istio: await get({ apiVersion: SAIL_API, kind: 'Istio', name: condition.istio }),
            revisions: await ctx.mesh.list({ apiVersion: SAIL_API, kind: 'IstioRevision' }),
            activeRevision: condition.activeRevision,
            version: condition.version,
            ...(condition.total === undefined ? {} : { total: condition.total }),
          }),
      };
    case 'revision-gone':
      return {
        what: `IstioRevision ${condition.name} pruned`,
        namespaces: [condition.istiodNamespace],
        read: async () =>
          revisionGone({
            name: condition.name,
            revision: await get({ apiVersion: SAIL_API, kind: 'IstioRevision', name: condition.name }),
            istiod: await get({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: condition.istiodNamespace,
              name: istiodName(condition.name),
            }),
          }),
      };
    case 'tag-points-to':
      return {
        what: `IstioRevisionTag ${condition.tag} → ${condition.revision}`,
        namespaces: ['istio-system'],
        read: async () =>
          tagPointsTo({
            tag: await get({ apiVersion: SAIL_API, kind: 'IstioRevisionTag', name: condition.tag }),
            name: condition.tag,
            revision: condition.revision,
          }),
      };
    case 'pods-ready':
      return {
        what: `pods ${condition.selector} in ${condition.namespace} Ready (at least ${condition.min})`,
        namespaces: [condition.namespace],
        read: async () =>
          podsReady(
            await ctx.mesh.list({
              apiVersion: 'v1',
              kind: 'Pod',
              namespace: condition.namespace,
              labelSelector: condition.selector,
            }),
            condition.min,
          ),
      };
    case 'waypoint-programmed':
      return {
        what: `Gateway ${condition.namespace}/${condition.name} Programmed`,
        namespaces: [condition.namespace],
        read: async () =>
          gatewayProgrammed(
            await get({
              apiVersion: 'gateway.networking.k8s.io/v1',
              kind: 'Gateway',
              namespace: condition.namespace,
              name: condition.name,
            }),
          ),
      };
    case 'gone':
      return {
        what: `${condition.objects.length} object(s) gone`,
        namespaces: [...new Set(condition.objects.flatMap((ref) => (ref.namespace ? [ref.namespace] : [])))],
        read: async () =>
          allGone(
            await Promise.all(
              condition.objects.map(async (ref) => ({
                what: describeRef(ref),
                exists: (await getObject(ctx.kube, ref)) !== undefined,
              })),
            ),
          ),
      };
  }
}

export async function runWait(step: WaitStep, ctx: RunContext): Promise<StepOutcome> {
  const { condition } = step;
  if (condition.kind === 'waypoint-rolled-out') {
    const result = await waitWaypointReady(
      ctx.mesh,
      {
        namespace: condition.namespace,
        name: condition.name,
        version: condition.version,
        ...(condition.revision ? { revision: condition.revision } : {}),
      },
      { timeoutMs: step.timeoutMs, intervalMs: 2_000, signal: ctx.signal },
    );
    return passed(`waypoint ${condition.namespace}/${condition.name} rolled out on ${condition.version}`, [
      text('last seen', result.detail),
    ]);
  }
  const { what, read, namespaces } = judge(ctx, condition);
  const result = await waitJudged(ctx.mesh, what, read, () => namespaces, {
    timeoutMs: step.timeoutMs,
    intervalMs: 2_000,
    signal: ctx.signal,
  });
  return passed(what, [text('last seen', result.detail)]);
}
