import {
  drainDeadlineSeconds,
  judgeConnectionPersistence,
  ztunnelReplacements,
} from '../../helpers/mesh/ztunnel-drain.ts';
import { ZTUNNEL_SELECTOR } from '../../helpers/mesh/ztunnel-pods.ts';
import type { ProbeSpec } from '../../helpers/plan/types.ts';
import { TrafficReport } from '../../helpers/probes/traffic.ts';
import { ConnectionsReport } from '../../helpers/probes/verdicts.ts';
import type { RunContext } from './context.ts';
import { nodeName } from './nodes.ts';
import { failed, json, passed, type StepOutcome } from './outcome.ts';
import { probePod, startBackgroundProbe, stopBackgroundProbe } from './probe-pods.ts';

const ZTUNNEL_NAMESPACE = 'ztunnel';
/** How often the observer lists ztunnel pods: a terminating pod stays visible for its whole grace (≥ 2 s). */
const OBSERVE_INTERVAL_MS = 1_000;
/** Traffic runs until its check step stops it; this only bounds a run whose check never comes. */
const TRAFFIC_MAX_SECONDS = 4 * 3600;

/**
 * Lists ztunnel pods every second while a connections run is active and keeps the last state of every pod UID,
 * terminating ones included: their deletion timestamps are the SIGTERM times the judgement needs.
 */
function observeZtunnelPods(ctx: RunContext, label: string): void {
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted && !ctx.signal.aborted) {
      try {
        const pods = await ctx.mesh.list({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ZTUNNEL_NAMESPACE,
          labelSelector: ZTUNNEL_SELECTOR,
        });
        for (const pod of pods) if (pod.metadata.uid) ctx.ztunnelPods.set(String(pod.metadata.uid), pod);
      } catch {
        // A failed list (API restarting) loses one sample; the next one catches up.
      }
      await new Promise((resolve) => setTimeout(resolve, OBSERVE_INTERVAL_MS).unref());
    }
  })();
  ctx.observers.set(label, async () => {
    stop.abort();
    await loop;
  });
}

export async function startConnections(
  spec: Extract<ProbeSpec, { kind: 'connections-start' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  ctx.ztunnelPods.clear();
  observeZtunnelPods(ctx, spec.label);
  const runs = [];
  for (const [index, pair] of spec.pairs.entries()) {
    const clientNode = nodeName(ctx, pair.client.node);
    const serverNode = nodeName(ctx, pair.server.node);
    const pod = await probePod(ctx, pair.client, clientNode);
    const args = [
      'connections',
      '--target',
      `${pair.server.host}:${pair.server.port}`,
      '--count',
      String(spec.count),
      '--duration',
      String(Math.ceil(spec.durationMs / 1000)),
      '--interval',
      String(spec.intervalMs),
      '--new-per-second',
      String(spec.newPerSecond),
      ...(spec.plannedLifeMs === null ? [] : ['--planned-life', String(spec.plannedLifeMs / 1000)]),
    ];
    const run = await startBackgroundProbe(ctx, pod, `${spec.label}-${index}`, args);
    runs.push({ ...run, serverNode });
  }
  ctx.background.set(spec.label, runs);
  return passed(
    `started ${runs.length} connections probe(s): ${spec.count} long-lived connections each, ${spec.newPerSecond} new/s`,
    [json('connections probes', runs)],
  );
}

/** Which nodes were drained while the run was active. */
function drainedDuring(ctx: RunContext, start: number, end: number): string[] {
  return [...new Set(ctx.drainWindows.filter((w) => w.start <= end && w.end >= start).map((w) => w.node))];
}

export async function checkConnections(
  spec: Extract<ProbeSpec, { kind: 'connections-check' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const runs = ctx.background.get(spec.label);
  if (!runs) return failed(`no connections run "${spec.label}" was started earlier in this scenario`);
  const evidence = [];
  const reasons: string[] = [];
  const reports = [];
  for (const run of runs)
    reports.push({ run, report: ConnectionsReport.parse(JSON.parse(await stopBackgroundProbe(ctx, run))) });
  await ctx.observers.get(spec.label)?.();
  ctx.observers.delete(spec.label);
  ctx.background.delete(spec.label);

  const replacements = ztunnelReplacements([...ctx.ztunnelPods.values()]);
  if (replacements instanceof Error)
    return failed(`ztunnel pod timeline unreadable: ${replacements.message}`);
  evidence.push(json('ztunnel replacements', replacements));
  const graceSeconds = spec.terminationGracePeriodSeconds;
  const deadlineSeconds = drainDeadlineSeconds(graceSeconds);

  const figures = [];
  const budgetNotes: string[] = [];
  for (const { run, report } of reports) {
    const serverNode = run.serverNode ?? run.clientNode;
    const onPair = replacements.filter((r) => r.node === run.clientNode || r.node === serverNode);
    if (spec.mode === 'ztunnel-rollout' && onPair.length === 0) {
      reasons.push(
        `${run.label}: no ztunnel on ${run.clientNode}/${serverNode} was replaced while it ran, so it proves nothing`,
      );
    }
    const judged = judgeConnectionPersistence({
      connections: report,
      replacements,
      clientNode: run.clientNode,
      serverNode,
      deadlineSeconds,
      graceSeconds,
      // SIGTERM times come from deletion timestamps (1 s resolution); an echo is checked once per interval.
      toleranceMs: 1_000 + 2 * report.intervalMs,
      mode: spec.mode === 'node-drain' ? 'drain' : 'rolling',
      drainedNodes: drainedDuring(ctx, report.started, report.ended),
    });
    reasons.push(...judged.violations.map((v) => `${run.label}: ${v.detail}`));
    const budget = judged.newConnections;
    if (budget && budget.failed > 0) {
      // Information for the report: the run did not meet a zero-failure bar, whatever the budget allowed.
      budgetNotes.push(
        `${run.label}: ${budget.failed} new connection(s) failed, ${budget.budgeted.length} within the budget (zero-failure: not met)`,
      );
    }
    if (spec.plannedEndsClean) {
      const inside = closedInsideDrainWindow(report.long, onPair, deadlineSeconds);
      if (inside === 0) {
        reasons.push(
          `${run.label}: no connection ended its planned life cleanly inside a drain window (closed between an old ztunnel's SIGTERM and its ${deadlineSeconds}s deadline), so the long grace was not exercised`,
        );
      }
    }
    evidence.push(json(`connections report ${run.label}`, report), json(`judgement ${run.label}`, judged));
    figures.push({
      label: run.label,
      clientNode: run.clientNode,
      serverNode,
      report,
      replacements: onPair,
      deadlineSeconds,
      graceSeconds,
    });
  }
  const outcomes = reports.flatMap(({ report }) => report.long.map((c) => c.outcome));
  const newFigure =
    budgetNotes.length > 0 ? budgetNotes.join('; ') : 'no new connection failed (zero-failure: met)';
  const summary = `${outcomes.length} long-lived connection(s) (${countBy(outcomes)}), ${replacements.length} ztunnel replacement(s), drain deadline ${deadlineSeconds}s of ${graceSeconds}s grace; ${newFigure}`;
  return reasons.length === 0
    ? passed(summary, evidence, { connections: figures })
    : failed(`${reasons[0]}${reasons.length > 1 ? ` (+${reasons.length - 1} more)` : ''}`, evidence, {
        connections: figures,
      });
}

/**
 * Connections that closed themselves (`closed`) while an old ztunnel on their nodes was draining: after its SIGTERM,
 * before its drain deadline. That is the long-grace promise; a clean close before any SIGTERM proves nothing.
 */
export function closedInsideDrainWindow(
  long: readonly { outcome: string; closed: number | null }[],
  replacements: readonly { sigtermAt: number }[],
  deadlineSeconds: number,
): number {
  return long.filter(({ outcome, closed }) => {
    if (outcome !== 'closed' || closed === null) return false;
    return replacements.some((r) => closed >= r.sigtermAt && closed <= r.sigtermAt + deadlineSeconds * 1000);
  }).length;
}

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

export async function startTraffic(
  spec: Extract<ProbeSpec, { kind: 'traffic-start' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const pod = await probePod(ctx, spec.client, nodeName(ctx, spec.client.node));
  const run = await startBackgroundProbe(ctx, pod, spec.label, [
    'traffic',
    '--url',
    spec.url,
    '--per-second',
    String(spec.perSecond),
    '--duration',
    String(TRAFFIC_MAX_SECONDS),
  ]);
  ctx.background.set(spec.label, [run]);
  return passed(`traffic to ${spec.url} at ${spec.perSecond}/s from ${pod.namespace}/${pod.name}`, [
    json('traffic probe', run),
  ]);
}

export async function checkTraffic(
  spec: Extract<ProbeSpec, { kind: 'traffic-check' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const run = ctx.background.get(spec.label)?.[0];
  if (!run) return failed(`no traffic run "${spec.label}" was started earlier in this scenario`);
  const report = TrafficReport.parse(JSON.parse(await stopBackgroundProbe(ctx, run)));
  ctx.background.delete(spec.label);
  const evidence = [json('traffic report', report)];
  const summary = `${report.succeeded}/${report.attempted} requests succeeded over ${Math.round((report.ended - report.started) / 1000)}s`;
  if (report.attempted === 0) return failed('the traffic probe sent no request', evidence);
  if (report.failed > 0) {
    const first = report.failures[0];
    return failed(
      `${summary}; first failure at ${first ? new Date(first.at).toISOString() : '?'}: ${first?.error ?? '?'}`,
      evidence,
      { traffic: report },
    );
  }
  return passed(summary, evidence, { traffic: report });
}
