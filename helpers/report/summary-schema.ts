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
  /**
   * What a reader must know to judge the run: deviations from the documented install and facts of the target
   * ("webhook admission disabled (kwok)"). One sentence each; shown on the certification page under the verdict.
   */
  notes: z.array(z.string().min(1)).default([]),
});
export type RunMeta = z.output<typeof RunMeta>;
export type RunMetaInput = z.input<typeof RunMeta>;

// ---- fragment records: one JSON line each in summary-parts/<scenario>.jsonl ----

const Base = { scenario: Name, at: z.number() };

/** A mesh component the plan installs and upgrades: the versions before and after, as the plan sets them. */
export const ComponentVersions = z.object({
  /** `Istio/default`, `ZTunnel/default`, … */
  component: Name,
  before: z.string().nullable(),
  after: z.string().nullable(),
  /** The plan's wait that confirms the upgraded version, `NN name` (its check verdict tells whether it held). */
  confirmedBy: z.string().optional(),
});
export type ComponentVersions = z.output<typeof ComponentVersions>;

/** A plan step as declared, so the page can show steps that never ran next to the ones that did. */
export const PlannedStep = z.object({
  id: Name,
  title: Name,
  action: Name,
  phase: Name,
  detail: z.string().optional(),
});
export type PlannedStep = z.output<typeof PlannedStep>;

/** What a step record may say beyond its title and time: from the plan step it ran. */
export const StepMeta = z.object({
  id: Name.optional(),
  action: Name.optional(),
  phase: Name.optional(),
  /** What the step waited for, patched or drained, one line. */
  detail: z.string().optional(),
});
export type StepMeta = z.output<typeof StepMeta>;

export const FragmentRecord = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    ...Base,
    plannedChecks: z.array(Name).default([]),
    /** The scenario's departures from the documented install (replicas, PDBs, probes), one line each. */
    deviations: z.array(z.string()).optional(),
    plannedSteps: z.array(PlannedStep).optional(),
    components: z.array(ComponentVersions).optional(),
    /** The plan's update strategy (`InPlace`, `RevisionBased`, …). */
    strategy: z.string().optional(),
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
    ...StepMeta.shape,
    /** The thrown error of a failed step, first line. */
    error: z.string().optional(),
  }),
  z.object({ kind: z.literal('note'), ...Base, text: z.string().min(1) }),
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
export type FragmentRecordInput = z.input<typeof FragmentRecord>;

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
  /** ISO time the step started (its record's time minus its duration). */
  startedAt: z.string().optional(),
  ...StepMeta.shape,
  error: z.string().optional(),
});
export type StepTiming = z.output<typeof StepTiming>;

export const WeightsFigure = z.object({
  check: Name,
  verdict: z.string(),
  reason: z.string().optional(),
  requests: z.number().int(),
  /** The weight test's settings when the probe gave them: δ is the tolerance band, α/β its error bounds. */
  settings: z.object({ alpha: z.number(), beta: z.number(), delta: z.number() }).optional(),
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
  /** From the first long-lived connection opened to the last one closed (or last echoed): the probe's window. */
  window: z.object({ start: z.string(), end: z.string() }).optional(),
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
  plannedSteps: z.array(PlannedStep).default([]),
  components: z.array(ComponentVersions).default([]),
  notes: z.array(z.string()).default([]),
  strategy: z.string().optional(),
  startedAt: z.string().optional(),
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
  /** The run's notes (deviations, target facts) followed by each scenario's, without repeats. */
  notes: z.array(z.string()).default([]),
});
export type CertificationSummary = z.output<typeof CertificationSummary>;
