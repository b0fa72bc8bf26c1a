import type { KubeObject } from '../k8s/types.ts';
import type { UpdateStrategy } from '../versions/skew.ts';
import type { SailVersionString, Version } from '../versions/version.ts';
import type { Timeouts } from './timeouts.ts';
import type { ScenarioName, Step } from './types.ts';

/** Upstream sample manifests for the Istio version under test (helpers/mesh/samples.ts). */
export interface Samples {
  bookinfo: KubeObject[];
  bookinfoVersions: KubeObject[];
}

/** Everything a scenario needs to list its steps; built once by `renderPlan`. */
export interface ScenarioContext {
  from: Version;
  to: Version;
  fromSail: SailVersionString;
  toSail: SailVersionString;
  workers: number;
  samples: Samples;
  probeBundle: string;
  timeouts: Timeouts;
  /** `Istio.spec.updateStrategy.inactiveRevisionDeletionGracePeriodSeconds` for RevisionBased. */
  revisionGraceSeconds: number;
  runId?: string;
}

/** A scenario is a value: its name, what it proves, its control-plane strategy, and its steps. */
export interface Scenario {
  name: ScenarioName;
  description: string;
  /** The claims the scenario's verify phase backs, one line each (shown by `plan` and in reports). */
  proves: string[];
  /**
   * Every way the scenario's install departs from the documented one (replicas, PDBs, probes), one line each, so
   * the report can say what was certified; empty when it installs exactly as documented.
   */
  deviations: string[];
  strategy: UpdateStrategy;
  minWorkers: number;
  steps(context: ScenarioContext): Step[];
}

export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
