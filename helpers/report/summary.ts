import { slug } from './paths.ts';
import {
  type ConnectionsProbe,
  LONG_OUTCOMES,
  type Replacement,
  type WeightsProbe,
} from './probe-figures.ts';
import {
  CertificationSummary,
  CHECK_VERDICTS,
  type CheckResult,
  type CheckVerdict,
  type ConnectionsFigure,
  type FragmentRecord,
  type RunMeta,
  type ScenarioSummary,
  SUMMARY_SCHEMA_VERSION,
  type WeightsFigure,
} from './summary-schema.ts';
import { decideVerdict } from './verdict.ts';
import { backendShares } from './weight-split.ts';

/** One scenario's fragment as read from disk; unreadable lines are problems, never silently dropped. */
export interface Fragment {
  scenario: string;
  records: FragmentRecord[];
  problems: string[];
}

/** A picture to write next to the summary; `path` is relative to the reports folder (as linked from md). */
export type FigureSpec =
  | { kind: 'weights'; path: string; title: string; check: string; figures: WeightsProbe }
  | {
      kind: 'connections';
      path: string;
      title: string;
      check: string;
      probe: ConnectionsProbe;
      replacements: Replacement[];
    };

/**
 * The check a figure belongs to: connections figures are recorded as `<check> (<label>)`, one per probe group.
 * Exported for the page, which links a figure to its check's verdict.
 */
export function checkOfFigure(figureCheck: string, checks: readonly { name: string }[]): string | undefined {
  return checks.find((c) => c.name === figureCheck || figureCheck.startsWith(`${c.name} (`))?.name;
}

const VERDICT_WORD: Record<CheckVerdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  skipped: 'SKIPPED',
  'not-run': 'NOT RUN',
};

/** A figure's title states its check's verdict, never a promise: "… — FAIL: c2 reset before its deadline". */
export function verdictTitle(base: string, check: CheckResult | undefined): string {
  if (check === undefined) return `${base} — verdict not recorded`;
  const why = check.verdict === 'pass' || check.reason === undefined ? '' : `: ${check.reason}`;
  const line = `${base} — ${VERDICT_WORD[check.verdict]}${why}`;
  return line.length > 115 ? `${line.slice(0, 114)}…` : line;
}

// When a check is recorded more than once the worst verdict stands: a later pass never hides a failure.
const SEVERITY: Record<CheckVerdict, number> = { pass: 0, skipped: 1, 'not-run': 2, fail: 3 };

function figurePath(scenario: string, check: string, kind: string, taken: Set<string>): string {
  const base = `figures/${slug(scenario)}--${slug(check)}-${kind}`;
  let path = `${base}.svg`;
  for (let i = 2; taken.has(path); i++) path = `${base}-${i}.svg`;
  taken.add(path);
  return path;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** A scenario summary with no checks, steps, time or figures yet. */
function emptyScenario(name: string, status: ScenarioSummary['status'], errors: string[]): ScenarioSummary {
  return {
    name,
    status,
    errors,
    checks: [],
    steps: [],
    wallTimeMs: 0,
    plannedSteps: [],
    components: [],
    notes: [],
    weights: [],
    authz: [],
    connections: [],
  };
}

function summariseScenario(
  fragment: Fragment,
  figures: FigureSpec[],
  taken: Set<string>,
): { scenario: ScenarioSummary; order: string[] } {
  const { scenario: name, records, problems } = fragment;
  const checks = new Map<string, CheckResult>();
  const order: string[] = [];
  const planned: string[] = [];
  let skipReason: string | undefined;
  const errors = [...problems];
  const s = emptyScenario(name, 'ran', errors);
  const authz = new Map<string, ScenarioSummary['authz'][number]>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const ownFigures: FigureSpec[] = [];

  const see = (check: string) => {
    if (!order.includes(check)) order.push(check);
  };

  for (const r of records) {
    first = Math.min(first, r.at);
    last = Math.max(last, r.at);
    switch (r.kind) {
      case 'start':
        for (const c of r.plannedChecks) {
          if (!planned.includes(c)) planned.push(c);
          see(c);
        }
        for (const d of r.deviations ?? []) {
          s.deviations ??= [];
          if (!s.deviations.includes(d)) s.deviations.push(d);
        }
        if (r.plannedSteps !== undefined && r.plannedSteps.length > 0) s.plannedSteps = r.plannedSteps;
        if (r.components !== undefined && r.components.length > 0) s.components = r.components;
        if (r.strategy !== undefined) s.strategy = r.strategy;
        break;
      case 'note':
        if (!s.notes.includes(r.text)) s.notes.push(r.text);
        break;
      case 'skip':
        skipReason = skipReason === undefined ? r.reason : `${skipReason}; ${r.reason}`;
        break;
      case 'check': {
        see(r.check);
        const prev = checks.get(r.check);
        if (prev === undefined || SEVERITY[r.verdict] > SEVERITY[prev.verdict]) {
          checks.set(r.check, {
            name: r.check,
            verdict: r.verdict,
            required: r.required || (prev?.required ?? false),
            ...(r.reason === undefined ? {} : { reason: r.reason }),
            // A missing capability explains only a check that did not run.
            ...(r.missing === undefined || r.verdict !== 'not-run' ? {} : { missing: r.missing }),
            ...(r.basis === undefined ? {} : { basis: r.basis }),
          });
        } else if (r.required && !prev.required) {
          prev.required = true;
        }
        break;
      }
      case 'step': {
        const { kind: _k, scenario: _s, at: _a, ...timing } = r;
        s.steps.push({ ...timing, startedAt: iso(r.at - r.durationMs) });
        // A step's record is written when it ends; its start is what bounds the scenario's wall time.
        first = Math.min(first, r.at - r.durationMs);
        break;
      }
      case 'error':
        errors.push(r.message);
        break;
      case 'weights': {
        const path = figurePath(name, r.check, 'weights', taken);
        ownFigures.push({
          kind: 'weights',
          path,
          title: `${name} — ${r.check}`,
          check: r.check,
          figures: r.figures,
        });
        s.weights.push({
          check: r.check,
          verdict: r.figures.verdict,
          ...(r.figures.reason === undefined ? {} : { reason: r.figures.reason }),
          ...(r.figures.settings === undefined ? {} : { settings: r.figures.settings }),
          requests: r.figures.requests,
          backends: backendShares(r.figures),
          figure: path,
        } satisfies WeightsFigure);
        break;
      }
      case 'authz': {
        const entry = authz.get(r.check) ?? { check: r.check, cells: [] };
        entry.cells.push(r.cell);
        authz.set(r.check, entry);
        break;
      }
      case 'connections': {
        const path = figurePath(name, r.check, 'connections', taken);
        ownFigures.push({
          kind: 'connections',
          path,
          title: `${name} — ${r.check}`,
          check: r.check,
          probe: r.probe,
          replacements: r.replacements,
        });
        const outcomes = Object.fromEntries(LONG_OUTCOMES.map((o) => [o, 0])) as Record<
          (typeof LONG_OUTCOMES)[number],
          number
        >;
        for (const c of r.probe.long) outcomes[c.outcome] += 1;
        const opened = r.probe.long.map((c) => c.opened);
        const ended = r.probe.long.map((c) => c.closed ?? c.lastEcho ?? c.opened);
        s.connections.push({
          check: r.check,
          longLived: { total: r.probe.long.length, outcomes },
          newConnections: {
            attempted: r.probe.new.attempted,
            succeeded: r.probe.new.succeeded,
            failed: r.probe.new.failed,
          },
          ...(opened.length === 0
            ? {}
            : { window: { start: iso(Math.min(...opened)), end: iso(Math.max(...ended)) } }),
          replacements: r.replacements.map((x) => ({
            node: x.node,
            sigtermAt: iso(x.sigtermAt),
            deadlineAt: iso(x.deadlineAt),
            graceEndAt: iso(x.graceEndAt),
            drainWindowMs: x.deadlineAt - x.sigtermAt,
          })),
          figure: path,
        } satisfies ConnectionsFigure);
        break;
      }
      default: {
        const unreachable: never = r;
        throw new Error(`unknown fragment record ${JSON.stringify(unreachable)}`);
      }
    }
  }

  // Planned checks never recorded: skipped (with the scenario's reason) when it was skipped, else not run.
  for (const c of planned) {
    if (checks.has(c)) continue;
    checks.set(
      c,
      skipReason !== undefined
        ? { name: c, verdict: 'skipped', required: true, reason: skipReason }
        : {
            name: c,
            verdict: 'not-run',
            required: true,
            reason: 'planned but never recorded (the scenario stopped early)',
          },
    );
  }

  s.checks = order.flatMap((c) => {
    const r = checks.get(c);
    return r === undefined ? [] : [r];
  });
  // Titles are settled once the verdicts are: a picture is titled with what its check concluded.
  for (const f of ownFigures) {
    const owner = checkOfFigure(f.check, s.checks);
    figures.push({ ...f, title: verdictTitle(f.title, owner === undefined ? undefined : checks.get(owner)) });
  }
  if (Number.isFinite(first)) s.startedAt = iso(first);
  s.authz = [...authz.values()];
  s.wallTimeMs = Number.isFinite(first) && last >= first ? last - first : 0;
  if (errors.length > 0) s.status = 'errored';
  else if (skipReason !== undefined) s.status = 'skipped';
  if (skipReason !== undefined) s.skipReason = skipReason;
  return { scenario: s, order };
}

export interface BuildOptions {
  generatedAt: string;
}

/**
 * Checks not run for a missing capability, one reason line per capability set: on kwok every data-plane check
 * of five scenarios would otherwise be ~80 lines saying the same thing. Each check still shows its own reason.
 */
function summariseCapabilityGaps(missingPerCheck: readonly string[]): string[] {
  const byMissing = new Map<string, number>();
  for (const missing of missingPerCheck) byMissing.set(missing, (byMissing.get(missing) ?? 0) + 1);
  return [...byMissing].map(
    ([missing, n]) => `${n} check${n === 1 ? '' : 's'} not run: ${missing} missing on this cluster`,
  );
}

/**
 * Merges scenario fragments into the certification summary and decides the overall verdict by the one rule in
 * verdict.ts: `not certified` when a check failed or a scenario errored; `incomplete` when a check that was due
 * was skipped or not run, or a meant scenario did not run; `control plane only` when the only checks not run
 * needed a capability the cluster lacks; `certified` only when every check ran and passed. A skip is never a pass.
 */
export function buildSummary(
  run: RunMeta,
  fragments: readonly Fragment[],
  { generatedAt }: BuildOptions,
): { summary: CertificationSummary; figures: FigureSpec[] } {
  const figures: FigureSpec[] = [];
  const taken = new Set<string>();
  const checkNames: string[] = [];
  const byName = new Map<string, ScenarioSummary>();

  const sorted = [...fragments].sort((a, b) => a.scenario.localeCompare(b.scenario));
  for (const fragment of sorted) {
    const { scenario, order } = summariseScenario(fragment, figures, taken);
    const existing = byName.get(scenario.name);
    if (existing !== undefined) {
      existing.errors.push(`two fragments name scenario "${scenario.name}"; only the first is shown`);
      continue;
    }
    byName.set(scenario.name, scenario);
    for (const c of order) if (!checkNames.includes(c)) checkNames.push(c);
  }
  for (const meant of run.scenarios) {
    if (byName.has(meant)) continue;
    byName.set(meant, emptyScenario(meant, 'not-run', []));
  }
  const scenarios = [...byName.values()];

  const totals = Object.fromEntries(CHECK_VERDICTS.map((v) => [v, 0])) as Record<CheckVerdict, number>;
  const failingChecks: CertificationSummary['failingChecks'] = [];
  const failReasons: string[] = [];
  const gapReasons: string[] = [];
  /** Per check not run for a missing capability: which ones it lacked (`data-plane, istiod-controller`). */
  const capabilityGaps: string[] = [];
  const skippedBy = new Map<string, string[]>();
  for (const s of scenarios) {
    for (const c of s.checks) {
      totals[c.verdict] += 1;
      if (c.verdict === 'fail') {
        failingChecks.push({
          scenario: s.name,
          check: c.name,
          ...(c.reason === undefined ? {} : { reason: c.reason }),
        });
        failReasons.push(`${s.name} / ${c.name} failed${c.reason === undefined ? '' : `: ${c.reason}`}`);
      } else if (c.required && c.verdict === 'not-run' && c.missing !== undefined && s.status === 'ran') {
        capabilityGaps.push(c.missing.join(', '));
      } else if (c.required && c.verdict !== 'pass' && s.status === 'ran') {
        gapReasons.push(
          `${s.name} / ${c.name} ${c.verdict === 'skipped' ? 'skipped' : 'not run'}${c.reason ? `: ${c.reason}` : ''}`,
        );
      }
    }
    if (s.status === 'errored') for (const e of s.errors) failReasons.push(`${s.name} errored: ${e}`);
    if (s.status === 'skipped') {
      const reason = s.skipReason ?? 'no reason given';
      skippedBy.set(reason, [...(skippedBy.get(reason) ?? []), s.name]);
    }
    if (s.status === 'not-run') gapReasons.push(`${s.name} not run: no results were recorded for it`);
    if (s.status === 'ran' && s.checks.length === 0) gapReasons.push(`${s.name} recorded no checks`);
  }
  // One line per distinct skip reason: "no cluster" for five scenarios reads once, not five times.
  for (const [reason, names] of skippedBy) {
    gapReasons.push(
      names.length === 1
        ? `${names[0]} skipped: ${reason}`
        : `${names.length} scenarios skipped (${names.join(', ')}): ${reason}`,
    );
  }
  if (scenarios.length === 0) gapReasons.push('no scenario recorded anything');

  const verdict = decideVerdict({
    failed: failReasons.length,
    gaps: gapReasons.length,
    capabilityGaps: capabilityGaps.length,
  });

  const summary = CertificationSummary.parse({
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    generatedAt,
    run,
    verdict,
    reasons: [...failReasons, ...gapReasons, ...summariseCapabilityGaps(capabilityGaps)],
    failingChecks,
    totals,
    checkNames,
    scenarios,
    notes: [...new Set([...run.notes, ...scenarios.flatMap((s) => s.notes)])],
  });
  return { summary, figures };
}
