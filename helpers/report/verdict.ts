/**
 * The run's verdict and the one precedence rule every reader applies (summary.json, summary.md, the HTML
 * certification page, the exit code of `run`). Kept apart from the summary schema so the report, the CLI and the
 * suites share the rule without loading zod or the summary builder.
 *
 *   not certified  > incomplete  > control plane only  > certified
 *   (a check failed)  (a check not run or skipped where it was due, for any other reason)
 *                     (only steps needing a capability the cluster lacks were not run)
 */
export const OVERALL_VERDICTS = ['not certified', 'incomplete', 'control plane only', 'certified'] as const;
export type OverallVerdict = (typeof OVERALL_VERDICTS)[number];

/** What the verdict is decided from: counts (or lists) of reasons, in the three classes the rule knows. */
export interface VerdictEvidence {
  /** A check failed, or a scenario errored. */
  failed: number;
  /** A check due to run was not run or skipped for a reason other than a missing capability. */
  gaps: number;
  /** A check was not run because the cluster lacks a capability it needs (`not run: <capability> missing`). */
  capabilityGaps: number;
}

/** The rule. `control plane only` is never `certified`: a run missing a capability can only be certified elsewhere. */
export function decideVerdict({ failed, gaps, capabilityGaps }: VerdictEvidence): OverallVerdict {
  if (failed > 0) return 'not certified';
  if (gaps > 0) return 'incomplete';
  if (capabilityGaps > 0) return 'control plane only';
  return 'certified';
}

/** The worse of two verdicts (precedence order), e.g. to combine runs or scenarios. */
export function worseVerdict(a: OverallVerdict, b: OverallVerdict): OverallVerdict {
  return OVERALL_VERDICTS.indexOf(a) <= OVERALL_VERDICTS.indexOf(b) ? a : b;
}

/**
 * Exit codes of `run`, one table (the README repeats it). 2 is a usage or prerequisite error (one line, nothing
 * created); 130/143 a stop by SIGINT/SIGTERM.
 */
export const EXIT_CODES = {
  certified: 0,
  'not certified': 1,
  usage: 2,
  incomplete: 3,
  'control plane only': 4,
} as const satisfies Record<OverallVerdict | 'usage', number>;

export function verdictExitCode(verdict: OverallVerdict): number {
  return EXIT_CODES[verdict];
}

/** One line for the console and the report's headline. */
export const VERDICT_MEANING: Readonly<Record<OverallVerdict, string>> = {
  'not certified': 'a check failed or a scenario errored',
  incomplete: 'a check that was due did not run or was skipped',
  'control plane only':
    'every check that could run passed; checks needing a capability this cluster lacks (data plane, istiod as a controller) were not run — certify on a cluster that has them',
  certified: 'every check of every selected scenario ran and passed',
};
