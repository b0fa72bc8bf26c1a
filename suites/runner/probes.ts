import { mergePatch } from '../../helpers/k8s/patch.ts';
import { comparePodSnapshots, snapshotPods } from '../../helpers/k8s/snapshot.ts';
import { meshVersionsFromObserved, readObservedMesh } from '../../helpers/mesh/skew-live.ts';
import { waitWaypointSynced, waitZtunnelsSynced } from '../../helpers/mesh/waits.ts';
import type { ProbeSpec, ProbeStep } from '../../helpers/plan/types.ts';
import { AuthzVerdict } from '../../helpers/probes/verdicts.ts';
import { WeightsVerdict } from '../../helpers/probes/weights.ts';
import {
  checkMeshSkew,
  formatSail,
  parseVersion,
  type Version,
  versionsEqual,
} from '../../helpers/versions/index.ts';
import { checkConnections, checkTraffic, startConnections, startTraffic } from './background.ts';
import type { RunContext } from './context.ts';
import { checkNodeZtunnel } from './node-ztunnel.ts';
import { failed, json, passed, type StepOutcome, text } from './outcome.ts';
import { probePod, runProbe } from './probe-pods.ts';

/** How long a one-shot probe may run in its pod: the weight test stops by itself well before (≤ 5000 requests). */
const PROBE_EXEC_TIMEOUT_MS = 10 * 60_000;
/** A waypoint that just rolled out may need a few pushes to be SYNCED; longer is a finding. */
const PROXY_STATUS_SETTLE_MS = 90_000;

function parseProbeJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').filter(Boolean).at(-1);
  if (!line) throw new Error('the probe printed nothing on stdout');
  return JSON.parse(line);
}

async function weights(spec: Extract<ProbeSpec, { kind: 'weights' }>, ctx: RunContext): Promise<StepOutcome> {
  const pod = await probePod(ctx, spec.client);
  const expect = Object.entries(spec.expected)
    .map(([name, weight]) => `${name}=${weight}`)
    .join(',');
  const result = await runProbe(
    ctx,
    pod,
    [
      'weights',
      '--url',
      spec.url,
      '--match',
      spec.match,
      '--expect',
      expect,
      '--warmup',
      String(spec.warmup.count),
      '--warmup-timeout',
      String(spec.warmup.timeoutMs),
    ],
    PROBE_EXEC_TIMEOUT_MS,
  );
  const verdict = WeightsVerdict.parse(parseProbeJson(result.stdout));
  const evidence = [json('weights probe verdict', verdict)];
  const summary = `${verdict.verdict} after ${verdict.requests} requests: ${verdict.reason}`;
  return verdict.verdict === 'pass'
    ? passed(summary, evidence, { weights: verdict })
    : failed(summary, evidence, { weights: verdict });
}

/** Pause between settle attempts: each is a new connection, this only keeps a failing one from spinning. */
const SETTLE_PAUSE_MS = 500;

async function authzOnce(
  spec: Extract<ProbeSpec, { kind: 'authz' }>,
  ctx: RunContext,
  pod: Awaited<ReturnType<typeof probePod>>,
) {
  const result = await runProbe(
    ctx,
    pod,
    ['authz', '--url', spec.url, '--method', spec.method, '--expect', spec.expect, '--deny-by', spec.denyBy],
    60_000,
  );
  return AuthzVerdict.parse(parseProbeJson(result.stdout));
}

/**
 * Repeats the request until `settle.consecutive` verdicts in a row are the expected one (each on a new
 * connection), at most `settle.timeoutMs`. Returns the last verdict and the answers seen, for the evidence.
 */
async function settleAuthz(
  spec: Extract<ProbeSpec, { kind: 'authz' }>,
  settle: NonNullable<Extract<ProbeSpec, { kind: 'authz' }>['settle']>,
  ctx: RunContext,
  pod: Awaited<ReturnType<typeof probePod>>,
) {
  const deadline = Date.now() + settle.timeoutMs;
  const seen = new Map<string, number>();
  let run = 0;
  let attempts = 0;
  for (;;) {
    const verdict = await authzOnce(spec, ctx, pod);
    attempts += 1;
    const key =
      verdict.verdict === 'error' ? `error (${verdict.reason}: ${verdict.evidence})` : verdict.verdict;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    run = verdict.verdict === spec.expect ? run + 1 : 0;
    if (run >= settle.consecutive) return { verdict, settled: true, attempts, seen };
    if (Date.now() >= deadline || ctx.signal.aborted) return { verdict, settled: false, attempts, seen };
    await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS).unref());
  }
}

async function authz(spec: Extract<ProbeSpec, { kind: 'authz' }>, ctx: RunContext): Promise<StepOutcome> {
  const pod = await probePod(ctx, spec.client);
  const row = (verdict: AuthzVerdict) => ({
    client: `${pod.namespace}/${pod.name}`,
    method: spec.method,
    url: spec.url,
    expect: spec.expect,
    denyBy: spec.denyBy,
    verdict,
  });
  if (spec.settle) {
    const settled = await settleAuthz(spec, spec.settle, ctx, pod);
    const answers = [...settled.seen].map(([answer, n]) => `${n}× ${answer}`).join(', ');
    const evidence = [json('authz settle', { ...row(settled.verdict), attempts: settled.attempts, answers })];
    const what = `${spec.method} ${spec.url} from ${spec.client.namespace}`;
    // A convergence wait, not a matrix row: no authz figure (the matrix rows that follow are the figures).
    return settled.settled
      ? passed(
          `${what}: ${spec.settle.consecutive} ${spec.expect} verdict(s) in a row after ${settled.attempts} attempt(s) (${answers})`,
          evidence,
        )
      : failed(
          `${what}: no run of ${spec.settle.consecutive} ${spec.expect} verdict(s) within ${Math.round(spec.settle.timeoutMs / 1000)}s; answers seen: ${answers}`,
          evidence,
        );
  }
  const verdict = await authzOnce(spec, ctx, pod);
  const summary = `${spec.method} ${spec.url} from ${spec.client.namespace}: expected ${spec.expect} (deny by ${spec.denyBy}), got ${verdict.verdict} (${verdict.evidence})`;
  return verdict.verdict === spec.expect
    ? passed(summary, [json('authz verdict', row(verdict))], { authz: row(verdict) })
    : failed(summary, [json('authz verdict', row(verdict))], { authz: row(verdict) });
}

async function proxyStatus(
  spec: Extract<ProbeSpec, { kind: 'proxy-status' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const judged = await waitWaypointSynced(
    ctx.mesh,
    {
      namespace: spec.waypoint.namespace,
      name: spec.waypoint.name,
      version: spec.expect.version,
      revision: spec.expect.revision,
    },
    { timeoutMs: PROXY_STATUS_SETTLE_MS, intervalMs: 3_000, signal: ctx.signal },
  );
  return passed(judged.reason, [text('proxy status', judged.detail)]);
}

async function ztunnelProxyStatus(
  spec: Extract<ProbeSpec, { kind: 'ztunnel-proxy-status' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const judged = await waitZtunnelsSynced(
    ctx.mesh,
    { version: spec.expect.version, revision: spec.expect.revision },
    { timeoutMs: spec.timeoutMs, intervalMs: 3_000, signal: ctx.signal },
  );
  return passed(judged.reason, [text('ztunnel proxy status', judged.detail)]);
}

async function podSnapshot(
  spec: Extract<ProbeSpec, { kind: 'pod-snapshot' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const pods = await snapshotPods(ctx.kube, { namespaces: spec.namespaces, labelSelector: spec.selector });
  ctx.snapshots.set(spec.snapshot, { namespaces: spec.namespaces, selector: spec.selector, pods });
  if (pods.length === 0) return failed(`no pods matched ${spec.selector} in ${spec.namespaces.join(', ')}`);
  return passed(`recorded ${pods.length} pod(s) as "${spec.snapshot}"`, [
    json(`snapshot ${spec.snapshot}`, pods),
  ]);
}

async function podsUnchanged(
  spec: Extract<ProbeSpec, { kind: 'pods-unchanged' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const before = ctx.snapshots.get(spec.snapshot);
  if (!before) return failed(`no snapshot named "${spec.snapshot}" was taken earlier in this scenario`);
  const after = await snapshotPods(ctx.kube, {
    namespaces: before.namespaces,
    labelSelector: before.selector,
  });
  const changes = comparePodSnapshots(before.pods, after);
  const evidence = [json('pods before', before.pods), json('pods after', after), json('changes', changes)];
  if (changes.length > 0) {
    const first = changes
      .slice(0, 3)
      .map(
        (c) =>
          `${c.type} ${'before' in c ? c.before.namespace : ''}/${'before' in c ? c.before.name : 'after' in c ? c.after.name : ''}`,
      );
    return failed(
      `${changes.length} application pod change(s) since "${spec.snapshot}": ${first.join(', ')}`,
      evidence,
    );
  }
  return passed(`${after.length} pod(s): same UIDs and restart counts as "${spec.snapshot}"`, evidence);
}

async function skew(spec: Extract<ProbeSpec, { kind: 'skew' }>, ctx: RunContext): Promise<StepOutcome> {
  const observed = await readObservedMesh(ctx.mesh, { waypointNamespaces: ['bookinfo', 'foo'] });
  const { versions, observations, problems } = meshVersionsFromObserved(observed);
  const evidence = [json('observed versions', observations)];
  if (!versions) return failed(`could not read the mesh versions: ${problems.join('; ')}`, evidence);
  const planned: [string, Version, string][] = [
    ['control plane', versions.controlPlane, spec.expected.controlPlane],
    ['IstioCNI', versions.cni, spec.expected.cni],
    ['ZTunnel', versions.ztunnel, spec.expected.ztunnel],
  ];
  const mismatches = planned
    .filter(([, seen, want]) => !versionsEqual(seen, parseVersion(want)))
    .map(([what, seen, want]) => `${what} is ${formatSail(seen)}, the plan expects ${want}`);
  const policy = checkMeshSkew(versions);
  const reasons = [...problems, ...mismatches, ...(policy.ok ? [] : [policy.reason])];
  return reasons.length === 0
    ? passed(
        `versions as planned and within policy (${spec.expected.controlPlane}/${spec.expected.cni}/${spec.expected.ztunnel})`,
        evidence,
      )
    : failed(reasons.join('; '), evidence);
}

async function namespaceLabels(
  spec: Extract<ProbeSpec, { kind: 'namespace-labels' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: spec.namespace };
  const ns = await ctx.mesh.get(ref);
  const labels = ns?.metadata.labels ?? {};
  const wrong = Object.entries(spec.expected).filter(([k, v]) => labels[k] !== v);
  const evidence = [json(`labels of ${spec.namespace}`, labels)];
  if (wrong.length === 0)
    return passed(`namespace ${spec.namespace} carries ${Object.keys(spec.expected).join(', ')}`, evidence);
  const finding = wrong.map(([k, v]) => `${k}=${labels[k] ?? '(missing)'} (want ${v})`).join(', ');
  if (!spec.repair) return failed(`namespace ${spec.namespace} labels wrong: ${finding}`, evidence);
  const stored = await mergePatch(
    ctx.kube,
    ref,
    { metadata: { labels: Object.fromEntries(wrong) } },
    { signal: ctx.signal },
  );
  evidence.push(json(`labels of ${spec.namespace} after repair`, stored.metadata.labels ?? {}));
  const still = Object.entries(spec.expected).filter(([k, v]) => stored.metadata.labels?.[k] !== v);
  return still.length === 0
    ? passed(`namespace ${spec.namespace} labels were wrong and were re-applied: ${finding}`, evidence, {
        repaired: finding,
      })
    : failed(`namespace ${spec.namespace} labels could not be repaired: ${finding}`, evidence);
}

export async function runProbeStep(step: ProbeStep, ctx: RunContext): Promise<StepOutcome> {
  const spec = step.probe;
  switch (spec.kind) {
    case 'weights':
      return weights(spec, ctx);
    case 'authz':
      return authz(spec, ctx);
    case 'proxy-status':
      return proxyStatus(spec, ctx);
    case 'pod-snapshot':
      return podSnapshot(spec, ctx);
    case 'pods-unchanged':
      return podsUnchanged(spec, ctx);
    case 'skew':
      return skew(spec, ctx);
    case 'namespace-labels':
      return namespaceLabels(spec, ctx);
    case 'connections-start':
      return startConnections(spec, ctx);
    case 'connections-check':
      return checkConnections(spec, ctx);
    case 'traffic-start':
      return startTraffic(spec, ctx);
    case 'traffic-check':
      return checkTraffic(spec, ctx);
    case 'node-ztunnel':
      return checkNodeZtunnel(spec, ctx);
    case 'ztunnel-proxy-status':
      return ztunnelProxyStatus(spec, ctx);
  }
}
