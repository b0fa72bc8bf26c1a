import type { ScenarioName } from '../helpers/plan/types.ts';

// Values the command declarations (help text, defaults) need. Imported by every `cli/commands/*.ts` at startup,
// so this module imports nothing at run time: `--help` must not pay for zod, the plan builders or a client.

/** Every scenario `run` knows, in the order they run when none is named. */
export const RUN_SCENARIOS = [
  'inplace',
  'revision-based',
  'ztunnel-rolling',
  'ztunnel-node-drain',
  'cross-namespace-waypoint',
] as const satisfies readonly ScenarioName[];

/**
 * `smoke` installs the mesh and checks it is healthy (the setup and baseline steps of `inplace`, no upgrade): the
 * quick check that a cluster and operator build can run the suite at all. Run only when named.
 */
export const SMOKE_SCENARIO = 'smoke';
export const SELECTABLE_SCENARIOS = [...RUN_SCENARIOS, SMOKE_SCENARIO] as const;
export type RunScenarioName = (typeof SELECTABLE_SCENARIOS)[number];

/** Fails typecheck when helpers/plan gains a scenario this list (and so `plan`/`run` help) does not name. */
type NoneMissing<Missing extends never> = Missing;
export type EveryScenarioListed = NoneMissing<Exclude<ScenarioName, (typeof RUN_SCENARIOS)[number]>>;

/** Sail operator chart installed when `--operator-version` is not given (FACTS §1: newest release). */
export const DEFAULT_OPERATOR_VERSION = '1.30.3';
export const DEFAULT_WORKERS = 2;
/** kind workers are containers on one machine; more than this is a typo, not a test bed. */
export const MAX_KIND_WORKERS = 20;
export const DEFAULT_REPORTS_DIR = 'reports';
