import { describe, expect, it } from 'vitest';
import { buildSummary, type Fragment } from '../../../helpers/report/summary.ts';
import {
  CertificationSummary,
  FragmentRecord,
  type FragmentRecordInput,
  RunMeta,
} from '../../../helpers/report/summary-schema.ts';

const run = RunMeta.parse({
  runId: 'run-1',
  cluster: { provider: 'kind', kubernetesVersion: 'v1.33.1', nodeCount: 3, openshift: false },
  operator: { version: '1.27.0', image: 'quay.io/sail-dev/sail-operator:1.27.0' },
  istio: { from: '1.26.3', to: '1.27.1' },
});

type Rec = FragmentRecordInput extends infer R
  ? R extends FragmentRecordInput
    ? Omit<R, 'scenario' | 'at'>
    : never
  : never;

function fragment(scenario: string, ...records: Rec[]): Fragment {
  return {
    scenario,
    records: records.map((r, i) => FragmentRecord.parse({ ...r, scenario, at: 1000 * i })),
    problems: [],
  };
}

const pass = (check: string): Rec => ({ kind: 'check', check, verdict: 'pass', required: true });
const build = (fragments: Fragment[], meta = run) =>
  buildSummary(meta, fragments, { generatedAt: '2025-11-25T10:00:00.000Z' }).summary;

describe('overall verdict', () => {
  it('is certified when every planned check passed and every scenario ran', () => {
    const s = build([
      fragment(
        'inplace',
        { kind: 'start', plannedChecks: ['mesh ready', 'weights'] },
        pass('mesh ready'),
        pass('weights'),
      ),
      fragment('revision', pass('mesh ready')),
    ]);
    expect(s.verdict).toBe('certified');
    expect(s.reasons).toEqual([]);
    expect(s.totals).toEqual({ pass: 3, fail: 0, skipped: 0, 'not-run': 0 });
    expect(() => CertificationSummary.parse(s)).not.toThrow();
  });

  it('is not certified when a check failed, and names it with its reason', () => {
    const s = build([
      fragment('inplace', pass('mesh ready'), {
        kind: 'check',
        check: 'weights',
        verdict: 'fail',
        required: true,
        reason: 'v2 got 31%',
      }),
    ]);
    expect(s.verdict).toBe('not certified');
    expect(s.failingChecks).toEqual([{ scenario: 'inplace', check: 'weights', reason: 'v2 got 31%' }]);
    expect(s.reasons).toEqual(['inplace / weights failed: v2 got 31%']);
  });

  it('never reports a skipped scenario as passed: a skip makes the run incomplete', () => {
    const s = build([
      fragment('inplace', pass('mesh ready')),
      fragment(
        'ztunnel-node-drain',
        { kind: 'start', plannedChecks: ['drain'] },
        { kind: 'skip', reason: 'needs 2+ worker nodes' },
      ),
    ]);
    expect(s.verdict).toBe('incomplete');
    const drain = s.scenarios.find((x) => x.name === 'ztunnel-node-drain');
    expect(drain?.status).toBe('skipped');
    expect(drain?.checks).toEqual([
      { name: 'drain', verdict: 'skipped', required: true, reason: 'needs 2+ worker nodes' },
    ]);
    expect(s.reasons).toContain('ztunnel-node-drain skipped: needs 2+ worker nodes');
  });

  it('states a skip reason shared by several scenarios once', () => {
    const s = build([
      fragment('a', { kind: 'skip', reason: 'no cluster' }),
      fragment('b', { kind: 'skip', reason: 'no cluster' }),
      fragment('c', { kind: 'skip', reason: 'needs OpenShift' }),
    ]);
    expect(s.reasons).toEqual(['2 scenarios skipped (a, b): no cluster', 'c skipped: needs OpenShift']);
  });

  it('prefers "not certified" over "incomplete" when both apply', () => {
    const s = build([
      fragment('a', { kind: 'check', check: 'x', verdict: 'fail', required: true, reason: 'r' }),
      fragment('b', { kind: 'skip', reason: 'no cluster' }),
    ]);
    expect(s.verdict).toBe('not certified');
  });

  it('reports planned checks that were never recorded as not run (the scenario stopped early)', () => {
    const s = build([
      fragment(
        'inplace',
        { kind: 'start', plannedChecks: ['mesh ready', 'weights after'] },
        pass('mesh ready'),
      ),
    ]);
    expect(s.verdict).toBe('incomplete');
    expect(s.scenarios[0]?.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['mesh ready', 'pass'],
      ['weights after', 'not-run'],
    ]);
  });

  it('lists a scenario the run meant to cover but that left no fragment as not run', () => {
    const s = build([fragment('inplace', pass('mesh ready'))], {
      ...run,
      scenarios: ['inplace', 'revision'],
    });
    expect(s.verdict).toBe('incomplete');
    expect(s.scenarios.find((x) => x.name === 'revision')?.status).toBe('not-run');
  });

  it('lets an optional check be skipped without blocking certification', () => {
    const s = build([
      fragment('inplace', pass('mesh ready'), {
        kind: 'check',
        check: 'L7 metrics',
        verdict: 'skipped',
        required: false,
        reason: 'no Prometheus',
      }),
    ]);
    expect(s.verdict).toBe('certified');
  });

  it('keeps the worst verdict when a check is recorded twice', () => {
    const s = build([
      fragment(
        'inplace',
        { kind: 'check', check: 'w', verdict: 'fail', required: true, reason: 'r' },
        pass('w'),
      ),
    ]);
    expect(s.scenarios[0]?.checks).toEqual([{ name: 'w', verdict: 'fail', required: true, reason: 'r' }]);
    expect(s.verdict).toBe('not certified');
  });

  it('is not certified when a scenario errored outside any check, or a fragment line was unreadable', () => {
    expect(build([fragment('a', pass('x'), { kind: 'error', message: 'setup threw' })]).verdict).toBe(
      'not certified',
    );
    expect(build([{ ...fragment('a', pass('x')), problems: ['a.jsonl line 3 is unreadable'] }]).verdict).toBe(
      'not certified',
    );
  });

  it('is incomplete, not certified, when nothing was recorded at all', () => {
    const s = build([]);
    expect(s.verdict).toBe('incomplete');
    expect(s.reasons).toEqual(['no scenario recorded anything']);
  });
});

describe('figures and timings', () => {
  it('summarises connections per outcome and names one figure file per probe', () => {
    const connections: Rec = {
      kind: 'connections',
      check: 'drain keeps connections',
      probe: {
        long: [
          { id: '1', opened: 0, closed: 10, outcome: 'closed', lastEcho: 9 },
          { id: '2', opened: 0, closed: 5, outcome: 'reset', lastEcho: 4 },
          { id: '3', opened: 0, closed: null, outcome: 'open', lastEcho: 9 },
        ],
        new: { attempted: 10, succeeded: 9, failed: 1, failures: [{ at: 3, error: 'ECONNRESET' }] },
      },
      replacements: [{ node: 'w1', sigtermAt: 1000, deadlineAt: 31000, graceEndAt: 36000 }],
    };
    const { summary, figures } = buildSummary(run, [fragment('ztunnel-rolling', connections, connections)], {
      generatedAt: 'now',
    });
    const c = summary.scenarios[0]?.connections ?? [];
    expect(c[0]?.longLived).toEqual({
      total: 3,
      outcomes: { open: 1, reset: 1, eof: 0, timeout: 0, error: 0, closed: 1 },
    });
    expect(c[0]?.replacements[0]?.drainWindowMs).toBe(30000);
    expect(figures.map((f) => f.path)).toEqual([
      'figures/ztunnel-rolling--drain-keeps-connections-connections.svg',
      'figures/ztunnel-rolling--drain-keeps-connections-connections-2.svg',
    ]);
  });

  it('takes wall time from the first step start to the last record', () => {
    const s = build([
      fragment(
        'inplace',
        { kind: 'step', title: '010 apply: mesh', durationMs: 500, status: 'passed' },
        { kind: 'step', title: '020 wait: ready', durationMs: 800, status: 'passed' },
      ),
    ]);
    // records at 0 ms (began at -500) and 1000 ms
    expect(s.scenarios[0]?.wallTimeMs).toBe(1500);
    expect(s.scenarios[0]?.steps.map((x) => x.title)).toEqual(['010 apply: mesh', '020 wait: ready']);
  });
});

describe('deviations from the documented install', () => {
  it('are carried from the start record into the scenario summary, and absent when there are none', () => {
    const s = build([
      fragment(
        'ztunnel-node-drain',
        {
          kind: 'start',
          plannedChecks: ['mesh ready'],
          deviations: ['istiod runs 2 replicas (values.pilot.autoscaleMin: 2)'],
        },
        pass('mesh ready'),
      ),
      fragment('inplace', { kind: 'start', plannedChecks: ['mesh ready'] }, pass('mesh ready')),
    ]);
    const byName = new Map(s.scenarios.map((x) => [x.name, x]));
    expect(byName.get('ztunnel-node-drain')?.deviations).toEqual([
      'istiod runs 2 replicas (values.pilot.autoscaleMin: 2)',
    ]);
    expect(byName.get('inplace')?.deviations).toBeUndefined();
    expect(() => CertificationSummary.parse(s)).not.toThrow();
  });
});
