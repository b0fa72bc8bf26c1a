import { z } from 'zod';
import { CAPABILITIES } from '../capabilities.ts';
import { AuthzCell, ConnectionsProbe, LONG_OUTCOMES, Replacement, WeightsProbe } from './probe-figures.ts';
import { OVERALL_VERDICTS } from './verdict.ts';

export { OVERALL_VERDICTS, type OverallVerdict } from './verdict.ts';

/** Bumped whenever a consumer of summary.json would have to change. */
export const SUMMARY_SCHEMA_VERSION = 2 as const;

export const CHECK_VERDICTS = ['pass', 'fail', 'skipped', 'not-run'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

const Name = z.string().min(1);

/** The capabilities a `not-run` check needed and the cluster lacked; only then is it `control plane only`. */
const Missing = z.array(z.enum(CAPABILITIES)).min(1).optional();
/** What a check proved on this cluster when that is less than on a full one (e.g. no waypoint pods on kwok). */
const Basis = z.string().min(1).optional();

// ---- run metadata (one file per run, written by whoever knows the cluster) ----

export const RunMeta = z.object({
  runId: Name,
  startedAt: z.string().optional(),
  cluster: z
    .object({
      provider: Name,
      kubernetesVersion: z.string(),
      nodeCount: z.number().int().nonnegative(),
      openshift: z.boolean(),
      /** What the provider declared the cluster can do; absent in runs recorded before capabilities existed. */
      capabilities: z.array(z.enum(CAPABILITIES)).optional(),
    })
    .nullable()
    .default(null),
  operator: z.object({ version: z.string(), image: z.string() }).nullable().default(null),
  istio: z.object({ from: z.string(), to: z.string() }).nullable().default(null),
  /** Scenarios the run meant to cover; one with no fragment is reported as not run. */
  scenarios: z.array(Name).default([]),
});
export type RunMeta = z.output<typeof RunMeta>;
export type RunMetaInput = z.input<typeof RunMeta>;

// ---- fragment records: one JSON line each in summary-parts/<scenario>.jsonl ----

const Base = { scenario: Name, at: z.number() };

export const FragmentRecord = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    ...Base,
    plannedChecks: z.array(Name).default([]),
    /** The scenario's departures from the documented install (replicas, PDBs, probes), one line each. */
    deviations: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('skip'), ...Base, reason: z.string().min(1) }),
  z.object({
    kind: z.literal('check'),
    ...Base,
    check: Name,
    verdict: z.enum(CHECK_VERDICTS),
    required: z.boolean().default(true),
    reason: z.string().optional(),
    missing: Missing,
    basis: Basis,
  }),
  z.object({
    kind: z.literal('step'),
    ...Base,
    title: Name,
    durationMs: z.number().nonnegative(),
    status: z.enum(['passed', 'failed']),
  }),
  z.object({ kind: z.literal('weights'), ...Base, check: Name, figures: WeightsProbe }),
  z.object({ kind: z.literal('authz'), ...Base, check: Name, cell: AuthzCell }),
  z.object({
    kind: z.literal('connections'),
    ...Base,
    check: Name,
    probe: ConnectionsProbe,
    replacements: z.array(Replacement),
  }),
  z.object({ kind: z.literal('error'), ...Base, message: z.string() }),
]);
export type FragmentRecord = z.output<typeof FragmentRecord>;

// ---- the merged certification summary ----

export const CheckResult = z.object({
  name: Name,
  verdict: z.enum(CHECK_VERDICTS),
  required: z.boolean(),
  reason: z.string().optional(),
  missing: Missing,
  basis: Basis,
});
export type CheckResult = z.output<typeof CheckResult>;

export const StepTiming = z.object({
  title: Name,
  durationMs: z.number().nonnegative(),
  status: z.enum(['passed', 'failed']),
});

export const WeightsFigure = z.object({
  check: Name,
  verdict: z.string(),
  requests: z.number().int(),
  backends: z.array(
    z.object({
      name: z.string(),
      count: z.number().int(),
      expected: z.number().nullable(),
      observed: z.number(),
      low: z.number().nullable(),
      high: z.number().nullable(),
    }),
  ),
  figure: z.string(),
});
export type WeightsFigure = z.output<typeof WeightsFigure>;

export const ConnectionsFigure = z.object({
  check: Name,
  longLived: z.object({
    total: z.number().int(),
    outcomes: z.record(z.enum(LONG_OUTCOMES), z.number().int()),
  }),
  newConnections: z.object({
    attempted: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  replacements: z.array(
    z.object({
      node: z.string(),
      sigtermAt: z.string(),
      deadlineAt: z.string(),
      graceEndAt: z.string(),
      drainWindowMs: z.number(),
    }),
  ),
  figure: z.string(),
});
export type ConnectionsFigure = z.output<typeof ConnectionsFigure>;

export const ScenarioSummary = z.object({
  name: Name,
  status: z.enum(['ran', 'skipped', 'not-run', 'errored']),
  skipReason: z.string().optional(),
  errors: z.array(z.string()),
  checks: z.array(CheckResult),
  steps: z.array(StepTiming),
  wallTimeMs: z.number().nonnegative(),
  weights: z.array(WeightsFigure),
  authz: z.array(z.object({ check: Name, cells: z.array(AuthzCell) })),
  connections: z.array(ConnectionsFigure),
  /** What this scenario installed differently from the documented procedure; absent when nothing. */
  deviations: z.array(z.string()).optional(),
});
export type ScenarioSummary = z.output<typeof ScenarioSummary>;

export const CertificationSummary = z.object({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
  generatedAt: z.string(),
  run: RunMeta,
  verdict: z.enum(OVERALL_VERDICTS),
  /** Why the verdict is what it is, one sentence each: the failing checks, the skipped scenarios, … */
  reasons: z.array(z.string()),
  failingChecks: z.array(z.object({ scenario: Name, check: Name, reason: z.string().optional() })),
  totals: z.record(z.enum(CHECK_VERDICTS), z.number().int()),
  /** The matrix's columns: every check name seen, in first-seen order. */
  checkNames: z.array(Name),
  scenarios: z.array(ScenarioSummary),
});
export type CertificationSummary = z.output<typeof CertificationSummary>;
