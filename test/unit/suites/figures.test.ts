import { describe, expect, it } from 'vitest';
import type { ProbeStep, Step } from '../../../helpers/plan/types.ts';
import type { ConnectionsReport } from '../../../helpers/probes/verdicts.ts';
import type { WeightsVerdict } from '../../../helpers/probes/weights.ts';
import { SummaryRecorder } from '../../../helpers/report/recorder.ts';
import { readFragments } from '../../../helpers/report/write-summary.ts';
import { recordFigures } from '../../../suites/runner/figures.ts';
import { failed, passed } from '../../../suites/runner/outcome.ts';
import { recordingSink, tempReportsDir } from '../report/fixtures.ts';

const probeStep = (probe: ProbeStep['probe']): Step => ({
  id: '300',
  name: 'probe it',
  phase: 'verify',
  action: 'probe',
  probe,
});

const weights: WeightsVerdict = {
  verdict: 'pass',
  reason: 'split within 5 points of 90/10',
  requests: 400,
  counts: { 'reviews-v1': 362, 'reviews-v2': 38 },
  expected: { 'reviews-v1': 0.9, 'reviews-v2': 0.1 },
  errors: 0,
  errorKinds: {},
  interval: {
    'reviews-v1': { share: 0.905, low: 0.86, high: 0.94 },
    'reviews-v2': { share: 0.095, low: 0.06, high: 0.14 },
  },
  settings: { alpha: 0.01, beta: 0.01, delta: 0.05, maxRequests: 5000, maxErrors: 5, maxErrorFraction: 0.01 },
};

const T0 = 1_700_000_000_000;
const connections: ConnectionsReport = {
  target: 'echo.connections:9000',
  started: T0,
  ended: T0 + 60_000,
  intervalMs: 1_000,
  plannedLifeMs: null,
  stoppedBy: 'signal',
  long: [
    { id: 0, opened: T0 + 100, closed: null, outcome: 'open', lastEcho: T0 + 59_000, echoes: 58 },
    { id: 1, opened: T0 + 120, closed: T0 + 31_000, outcome: 'reset', lastEcho: T0 + 30_000, echoes: 29 },
    // Never connected: the probe reports opened null (and when it gave up in closed).
    {
      id: 2,
      opened: null,
      closed: T0 + 5_000,
      outcome: 'error',
      lastEcho: null,
      echoes: 0,
      error: 'connect did not complete within 5000 ms',
    },
  ],
  new: {
    attempted: 300,
    succeeded: 299,
    failed: 1,
    firstSucceeded: T0 + 200,
    lastSucceeded: T0 + 59_800,
    failures: [{ at: T0 + 31_000, error: 'ECONNRESET' }],
  },
};

async function recorder() {
  const reportsDir = await tempReportsDir();
  const sink = recordingSink();
  return {
    reportsDir,
    sink,
    rec: new SummaryRecorder('ztunnel-rolling', { reportsDir, sink, now: () => T0 }),
  };
}

describe('recordFigures', () => {
  it('records a weights figure as a fragment record that parses, with its split picture', async () => {
    const { reportsDir, sink, rec } = await recorder();
    const step = probeStep({
      kind: 'weights',
      client: { namespace: 'bookinfo', selector: 'app=curl' },
      url: 'http://reviews:9080/reviews/1',
      match: 'reviews-v[0-9]',
      expected: { 'reviews-v1': 90, 'reviews-v2': 10 },
      warmup: { count: 20, timeoutMs: 60_000 },
    });
    await recordFigures(rec, '300 probe it', step, passed('ok', [], { weights }));
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.problems).toEqual([]);
    const record = fragment?.records.find((r) => r.kind === 'weights');
    expect(record).toMatchObject({
      check: '300 probe it',
      figures: { verdict: 'pass', requests: 400, counts: weights.counts, expected: weights.expected },
    });
    expect(sink.seen.attachments.map((a) => a.contentType)).toContain('image/svg+xml');
  });

  it('records an authz row as a matrix cell, also for a failed probe', async () => {
    const { reportsDir, rec } = await recorder();
    const row = {
      client: 'foo/curl-5d8f-abc',
      method: 'POST' as const,
      url: 'http://productpage.bookinfo:9080/',
      expect: 'deny' as const,
      verdict: { verdict: 'allow' as const, status: 200, evidence: 'HTTP 200', elapsedMs: 12 },
    };
    const step = probeStep({
      kind: 'authz',
      client: { namespace: 'foo', selector: 'app=curl' },
      url: row.url,
      method: 'POST',
      expect: 'deny',
      denyBy: 'waypoint',
    });
    await recordFigures(rec, '310 authz', step, failed('expected deny, got allow', [], { authz: row }));
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.problems).toEqual([]);
    expect(fragment?.records.find((r) => r.kind === 'authz')).toMatchObject({
      check: '310 authz',
      cell: {
        source: 'foo/curl-5d8f-abc',
        destination: 'POST http://productpage.bookinfo:9080/',
        expected: 'deny',
        observed: 'allow',
        evidence: 'HTTP 200',
      },
    });
  });

  it('records each connections run with its replacements; a never-opened connection is drawn when it failed', async () => {
    const { reportsDir, sink, rec } = await recorder();
    const step = probeStep({
      kind: 'connections-check',
      label: 'default-grace',
      mode: 'ztunnel-rollout',
      terminationGracePeriodSeconds: 30,
      plannedEndsClean: false,
    });
    const figure = {
      label: 'default-grace-0',
      clientNode: 'kind-worker',
      serverNode: 'kind-worker2',
      report: connections,
      replacements: [{ node: 'kind-worker', sigtermAt: T0 + 20_000 }],
      deadlineSeconds: 25,
      graceSeconds: 30,
    };
    await recordFigures(rec, '320 check', step, failed('1 reset', [], { connections: [figure] }));
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.problems).toEqual([]);
    const record = fragment?.records.find((r) => r.kind === 'connections');
    if (record?.kind !== 'connections') throw new Error('no connections record');
    expect(record.check).toBe('320 check (default-grace-0)');
    expect(record.replacements).toEqual([
      { node: 'kind-worker', sigtermAt: T0 + 20_000, deadlineAt: T0 + 45_000, graceEndAt: T0 + 50_000 },
    ]);
    expect(record.probe.long.map((c) => [c.id, c.outcome, c.opened])).toEqual([
      ['0', 'open', T0 + 100],
      ['1', 'reset', T0 + 120],
      ['2', 'error', T0 + 5_000],
    ]);
    expect(record.probe.new).toMatchObject({ attempted: 300, failed: 1 });
    expect(
      sink.seen.attachments.some((a) => a.name === '320 check (default-grace-0): connection timeline'),
    ).toBe(true);
  });

  it('records nothing for a step that is not a probe, or an outcome without figures', async () => {
    const { reportsDir, rec } = await recorder();
    const wait: Step = {
      id: '100',
      name: 'wait',
      phase: 'setup',
      action: 'wait',
      condition: { kind: 'gone', objects: [] },
      timeoutMs: 1,
    };
    await recordFigures(rec, '100 wait', wait, passed('ok', [], { weights }));
    await recordFigures(
      rec,
      '300 probe it',
      probeStep({ kind: 'pods-unchanged', snapshot: 'apps' }),
      passed('ok'),
    );
    expect(await readFragments(reportsDir)).toEqual([]);
  });
});
