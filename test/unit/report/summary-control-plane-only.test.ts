import { describe, expect, it } from 'vitest';
import { buildSummary, type Fragment } from '../../../helpers/report/summary.ts';
import { renderSummaryMarkdown } from '../../../helpers/report/summary-markdown.ts';
import { type FragmentRecord, RunMeta } from '../../../helpers/report/summary-schema.ts';

const run = RunMeta.parse({
  runId: 'run-kwok',
  scenarios: ['inplace', 'revision-based'],
  cluster: {
    provider: 'kwok',
    kubernetesVersion: 'v1.34.1',
    nodeCount: 3,
    openshift: false,
    capabilities: [],
  },
});

type Rec = FragmentRecord extends infer R
  ? R extends FragmentRecord
    ? Omit<R, 'scenario' | 'at'>
    : never
  : never;

function fragment(scenario: string, ...records: Rec[]): Fragment {
  return {
    scenario,
    records: records.map((r, i) => ({ ...r, scenario, at: 1000 * i }) as FragmentRecord),
    problems: [],
  };
}

const start = (...checks: string[]): Rec => ({ kind: 'start', plannedChecks: checks });
const pass = (check: string): Rec => ({ kind: 'check', check, verdict: 'pass', required: true });
const lacks = (check: string, ...missing: ('data-plane' | 'istiod-controller')[]): Rec => ({
  kind: 'check',
  check,
  verdict: 'not-run',
  required: true,
  reason: `not run: ${missing.join(', ')} missing`,
  missing,
});
const build = (fragments: Fragment[], meta = run) =>
  buildSummary(meta, fragments, { generatedAt: '2026-12-01T20:00:00.000Z' }).summary;
const only = (scenario: string) => RunMeta.parse({ runId: 'run-kwok', scenarios: [scenario] });

/** A kwok-like run: control-plane checks pass, data-plane checks not run for a missing capability. */
function controlPlaneRun(...extra: Rec[]): Fragment[] {
  return [
    fragment(
      'inplace',
      start('030 Istio ready', '100 weights', '110 waypoint ready'),
      pass('030 Istio ready'),
      lacks('100 weights', 'data-plane'),
      lacks('110 waypoint ready', 'istiod-controller'),
      ...extra,
    ),
    fragment(
      'revision-based',
      start('030 Istio ready', '090 proxy-status'),
      pass('030 Istio ready'),
      lacks('090 proxy-status', 'data-plane', 'istiod-controller'),
    ),
  ];
}

describe('control plane only', () => {
  it('is the verdict when only checks lacking a capability were not run — never certified', () => {
    const s = build(controlPlaneRun());
    expect(s.verdict).toBe('control plane only');
    expect(s.verdict).not.toBe('certified');
    expect(s.totals).toEqual({ pass: 2, fail: 0, skipped: 0, 'not-run': 3 });
    expect(s.reasons).toEqual([
      '1 check not run: data-plane missing on this cluster',
      '1 check not run: istiod-controller missing on this cluster',
      '1 check not run: data-plane, istiod-controller missing on this cluster',
    ]);
    const weights = s.scenarios[0]?.checks.find((c) => c.name === '100 weights');
    expect(weights).toMatchObject({ verdict: 'not-run', missing: ['data-plane'] });
    expect(renderSummaryMarkdown(s)).toContain('CONTROL PLANE ONLY');
    expect(renderSummaryMarkdown(s)).toContain('OpenShift: no, lacks data-plane, istiod-controller');
    expect(renderSummaryMarkdown(s)).not.toContain('CERTIFIED');
  });

  it('yields to incomplete when another check was not run for another reason', () => {
    const s = build(
      controlPlaneRun({
        kind: 'check',
        check: '120 skew',
        verdict: 'not-run',
        required: true,
        reason: 'not run: the upgrade did not complete',
      }),
    );
    expect(s.verdict).toBe('incomplete');
  });

  it('yields to incomplete when a meant scenario never recorded anything', () => {
    const s = buildSummary(
      RunMeta.parse({ runId: 'r', scenarios: ['inplace', 'revision-based', 'ztunnel-rolling'] }),
      controlPlaneRun(),
      { generatedAt: 'now' },
    ).summary;
    expect(s.verdict).toBe('incomplete');
  });

  it('yields to not certified when any check failed', () => {
    const s = build(
      controlPlaneRun({ kind: 'check', check: '120 skew', verdict: 'fail', required: true, reason: 'x' }),
    );
    expect(s.verdict).toBe('not certified');
  });

  it('a missing capability on a check that did run does not count: its verdict stands', () => {
    const s = build(
      [
        fragment('inplace', start('030 Istio ready'), {
          kind: 'check',
          check: '030 Istio ready',
          verdict: 'pass',
          required: true,
          missing: ['data-plane'],
        }),
      ],
      only('inplace'),
    );
    expect(s.verdict).toBe('certified');
    expect(s.scenarios[0]?.checks[0]?.missing).toBeUndefined();
  });

  it('shows the basis of a check whose meaning is weaker on this cluster next to its verdict', () => {
    const basis = 'no waypoint pod held the old revision: proves only that Sail prunes an unused revision';
    const s = build(
      [
        fragment('revision-based', start('150 old revision gone'), {
          kind: 'check',
          check: '150 old revision gone',
          verdict: 'pass',
          required: true,
          basis,
        }),
      ],
      only('revision-based'),
    );
    expect(s.scenarios[0]?.checks[0]?.basis).toBe(basis);
    expect(renderSummaryMarkdown(s)).toContain(`basis: ${basis}`);
  });
});
