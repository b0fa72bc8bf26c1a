import type { ProviderFacts } from '../clusters/facts.ts';
import type { ProviderName } from '../clusters/types.ts';
import { UserError } from '../helpers/errors.ts';
import type { OverallVerdict } from '../helpers/report/verdict.ts';
import type { RunScenarioName } from './constants.ts';

/**
 * What `run` hands to the suites once a cluster answers. The suites own everything from here: the plan, the
 * operator install (skipped when `facts.operatorPreinstalled` is set), the scenarios and the reports.
 */
export interface LaunchOptions {
  readonly runId: string;
  /** `runs/<runId>/`: the run's kubeconfig (kind), logs and plan copies go here. */
  readonly runDir: string;
  readonly provider: ProviderName;
  readonly kubeconfigPath: string;
  /** Set for existing clusters; a kind run's kubeconfig has exactly one context. */
  readonly context?: string;
  readonly facts: ProviderFacts;
  readonly scenarios: readonly RunScenarioName[];
  readonly from?: string;
  readonly to?: string;
  readonly workers: number;
  readonly operatorVersion: string;
  readonly hub?: string;
  readonly tag?: string;
  readonly manifestsDir?: string;
  readonly allowSkew: boolean;
  readonly reportsDir: string;
  readonly timeoutScale: number;
  /** Aborted on SIGINT/SIGTERM: stop waits and child processes, then return. */
  readonly signal: AbortSignal;
  /** Present when the provider can preload images into the nodes (kind); the suites pass what the plan pulls. */
  readonly loadImages?: (images: readonly string[], signal: AbortSignal) => Promise<void>;
  /** Registers an undo action on the run's cleanup stack (port-forwards, watches, temp files). */
  readonly onCleanup: (what: string, undo: () => Promise<void> | void) => void;
}

export interface LaunchResult {
  /** The certification summary's verdict (helpers/report/verdict.ts); only `certified` is a pass. */
  readonly verdict: OverallVerdict;
}

export type LaunchSuites = (options: LaunchOptions) => Promise<LaunchResult>;

// A variable path keeps typecheck independent of whether suites/launch.ts exists yet.
const LAUNCH_MODULE = '../suites/launch.ts';

/** Loads `launchSuites` from the suites layer at run time. */
export async function loadLaunchSuites(): Promise<LaunchSuites> {
  let mod: { launchSuites?: unknown };
  try {
    mod = (await import(LAUNCH_MODULE)) as { launchSuites?: unknown };
  } catch (error) {
    throw new UserError(
      'the scenario suites (suites/launch.ts) are not available in this checkout — update it, or run `npm ci`',
      {
        cause: error,
      },
    );
  }
  if (typeof mod.launchSuites !== 'function') {
    throw new UserError('suites/launch.ts does not export launchSuites — update the checkout');
  }
  return mod.launchSuites as LaunchSuites;
}
