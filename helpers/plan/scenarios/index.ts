import type { Scenario } from '../scenario.ts';
import type { ScenarioName } from '../types.ts';
import { crossNamespaceWaypoint } from './cross-namespace-waypoint.ts';
import { inplace } from './inplace.ts';
import { revisionBased } from './revision-based.ts';
import { ztunnelNodeDrain } from './ztunnel-node-drain.ts';
import { ztunnelRolling } from './ztunnel-rolling.ts';

/** Every scenario, in the order `plan`, `run` and reports list them. */
export const scenarios: readonly Scenario[] = [
  inplace,
  revisionBased,
  ztunnelRolling,
  ztunnelNodeDrain,
  crossNamespaceWaypoint,
];

export const SCENARIO_NAMES: readonly ScenarioName[] = scenarios.map((scenario) => scenario.name);

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}
