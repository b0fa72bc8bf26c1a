import type { ProviderFacts } from '../clusters/facts.ts';
import type { InstallSupport, ProviderName } from '../clusters/types.ts';
import type { Capability } from '../helpers/capabilities.ts';
import type { ScenarioName } from '../helpers/plan/types.ts';
import type { OverallVerdict } from '../helpers/report/verdict.ts';

/** A scenario `run` can launch: the plan scenarios, plus `smoke` (install the mesh and check it, no upgrade). */
export type LaunchScenario = ScenarioName | 'smoke';

/**
 * What `run` hands to the suites once a cluster answers. The suites own everything from here: the plan, the
 * operator install (skipped when `facts.operatorPreinstalled` is set), the scenarios and the reports.
 *
 * Signals: the CLI's run lifecycle (clusters/lifecycle.ts) is the only SIGINT/SIGTERM handler of the run. It
 * aborts `signal`; the suites pass it to every wait and child process (helm, kind, the scenario vitest, which runs
 * in a child process so its own signal handlers cannot end the run before the cleanup stack has run), then return.
 */
export interface LaunchOptions {
  readonly runId: string;
  /** `runs/<runId>/`: the run's kubeconfig (kind), logs and plan copies go here. */
  readonly runDir: string;
  readonly provider: ProviderName;
  /** The provider's declared capabilities (ClusterProvider.capabilities), passed to the suites in the run config. */
  readonly capabilities: readonly Capability[];
  readonly kubeconfigPath: string;
  /** Set for existing clusters; a kind run's kubeconfig has exactly one context. */
  readonly context?: string;
  readonly facts: ProviderFacts;
  readonly scenarios: readonly LaunchScenario[];
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
  /** Aborted on SIGINT/SIGTERM: stop waits and child processes, then return (or throw the abort reason). */
  readonly signal: AbortSignal;
  /** Present when the provider can preload images into the nodes (kind); the suites pass what the plan pulls. */
  readonly loadImages?: (images: readonly string[], signal: AbortSignal) => Promise<void>;
  /** What the provider brings to the install path (kwok: offline objects, local chart and helm, the operator process). */
  readonly install?: InstallSupport;
  /** `--operator-chart <dir>`: a local Sail chart directory. */
  readonly operatorChart?: string;
  /** Registers an undo action on the run's cleanup stack (port-forwards, watches, temp files). */
  readonly onCleanup: (what: string, undo: () => Promise<void> | void) => void;
}

export interface LaunchResult {
  /** The certification summary's verdict (helpers/report/verdict.ts); only `certified` is a pass. */
  readonly verdict: OverallVerdict;
}

export type LaunchSuites = (options: LaunchOptions) => Promise<LaunchResult>;
