import { getObject } from '../../helpers/k8s/read.ts';
import { describeRef } from '../../helpers/k8s/types.ts';
import { CLUSTER_DNS_SELECTOR, clusterDnsAvailable, OPENSHIFT_DNS } from '../../helpers/mesh/cluster-dns.ts';
import {
  allGone,
  podsReady,
  revisionGone,
  revisionsAsExpected,
  tagPointsTo,
} from '../../helpers/mesh/conditions.ts';
import {
  combine,
  daemonSetRolledOut,
  deploymentRolledOut,
  type Readiness,
  type SailKind,
  sailReady,
} from '../../helpers/mesh/readiness.ts';
import { istiodName } from '../../helpers/mesh/revisions.ts';
import { routeAccepted } from '../../helpers/mesh/route-status.ts';
import { istioHealthy } from '../../helpers/mesh/sail-verdict.ts';
import { SAIL_API, waitJudged, waitWaypointReady } from '../../helpers/mesh/waits.ts';
import { gatewayProgrammed } from '../../helpers/mesh/waypoint-readiness.ts';
import { ztunnelDrainSettings } from '../../helpers/mesh/ztunnel-drain.ts';
import { ztunnelOnRevision } from '../../helpers/mesh/ztunnel-revision.ts';
import type { WaitCondition, WaitStep } from '../../helpers/plan/types.ts';
import { waitProgress } from '../../helpers/report/progress.ts';
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
        what: `istiod of revision ${condition.revision} rolled out on ${condition.version}${condition.minReplicas === undefined ? '' : ` with at least ${condition.minReplicas} replicas`}`,
        namespaces: [condition.namespace],
        read: async () => {
          const istiod = await get({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: condition.namespace,
            name: istiodName(condition.revision),
          });
          const rolled = deploymentRolledOut(istiod, { version: condition.version, container: 'discovery' });
          return condition.minReplicas === undefined
            ? rolled
            : combine([rolled, atLeastReplicas(istiod, condition.minReplicas)]);
        },
      };
    case 'daemonset-rolled-out':
      return {
        what: `DaemonSet ${condition.namespace}/${condition.name} rolled out on ${condition.version}`,
        namespaces: [condition.namespace],
        read: async () => {
          const daemonSet = await get({
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            namespace: condition.namespace,
            name: condition.name,
          });
          const rolled = daemonSetRolledOut(daemonSet, {
            version: condition.version,
            container: condition.name === 'ztunnel' ? 'istio-proxy' : 'install-cni',
          });
          const grace = condition.terminationGracePeriodSeconds;
          return grace === undefined ? rolled : combine([rolled, templateGrace(daemonSet, grace)]);
        },
      };
    case 'route-accepted':
      return {
        what: `HTTPRoute ${condition.namespace}/${condition.name} Accepted and ResolvedRefs on its generation`,
        namespaces: [condition.namespace],
        read: async () =>
          routeAccepted(
            await get({
              apiVersion: 'gateway.networking.k8s.io/v1',
              kind: 'HTTPRoute',
              namespace: condition.namespace,
              name: condition.name,
            }),
          ),
      };
    case 'istio-healthy':
      return {
        what: `Istio ${condition.istio} Healthy with DependenciesHealthy`,
        namespaces: ['istio-system'],
        read: async () =>
          istioHealthy(await get({ apiVersion: SAIL_API, kind: 'Istio', name: condition.istio })),
      };
    case 'ztunnel-on-revision':
      return {
        what: `ZTunnel default and its DaemonSet moved to revision ${condition.revision}, rolled out on ${condition.version}`,
        namespaces: ['ztunnel'],
        read: async () =>
          ztunnelOnRevision({
            ztunnel: await get({ apiVersion: SAIL_API, kind: 'ZTunnel', name: 'default' }),
            daemonSet: await get({
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              namespace: 'ztunnel',
              name: 'ztunnel',
            }),
            revision: condition.revision,
            istiodNamespace: condition.istiodNamespace,
            version: condition.version,
          }),
      };
    case 'cluster-dns-available':
      return {
        what: 'cluster DNS Available',
        namespaces: ['kube-system'],
        read: async () =>
          clusterDnsAvailable({
            deployments: await ctx.mesh.list({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: 'kube-system',
              labelSelector: CLUSTER_DNS_SELECTOR,
            }),
            openshiftDns: await get({ apiVersion: 'apps/v1', kind: 'DaemonSet', ...OPENSHIFT_DNS }),
          }),
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

/** istiod asks for and runs at least `min` replicas (an HPA raises `spec.replicas` after the first rollout). */
function atLeastReplicas(object: unknown, min: number): Readiness {
  const dep = object as { spec?: { replicas?: number }; status?: { readyReplicas?: number } } | undefined;
  const want = dep?.spec?.replicas ?? 1;
  const ready = dep?.status?.readyReplicas ?? 0;
  const detail = `replicas asked ${want}, ready ${ready}`;
  return want >= min && ready >= min
    ? { done: true, detail }
    : { done: false, detail: `${detail} — not done: expected at least ${min}` };
}

/** The ztunnel template carries the grace just patched (pod grace and the env ztunnel reads agree with it). */
function templateGrace(daemonSet: unknown, grace: number): Readiness {
  const settings = ztunnelDrainSettings(daemonSet, grace);
  if (settings instanceof Error) return { done: false, detail: settings.message };
  const envProblem =
    settings.envGraceSeconds !== grace
      ? [`TERMINATION_GRACE_PERIOD_SECONDS ${settings.envGraceSeconds ?? 'unset'}, expected ${grace}`]
      : [];
  const problems = [...settings.problems, ...envProblem];
  const detail = `template grace ${settings.podGraceSeconds ?? '-'}s, env ${settings.envGraceSeconds ?? '-'}s, drain deadline ${settings.deadlineSeconds}s`;
  return problems.length === 0
    ? { done: true, detail }
    : { done: false, detail: `${detail} — not done: ${problems.join('; ')}` };
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
      { timeoutMs: step.timeoutMs, intervalMs: 2_000, signal: ctx.signal, onPoll: waitProgress() },
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
    onPoll: waitProgress(),
  });
  return passed(what, [text('last seen', result.detail)]);
}
