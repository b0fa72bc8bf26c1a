import { UserError } from '../errors.ts';
import { checkVersionChange } from '../versions/skew.ts';
import { formatSail, type Version } from '../versions/version.ts';
import type { Samples, ScenarioContext } from './scenario.ts';
import { findScenario, SCENARIO_NAMES } from './scenarios/index.ts';
import { checkPlanSkew } from './skew-walk.ts';
import { resolveTimeouts, type Timeouts } from './timeouts.ts';
import type { Plan } from './types.ts';

export interface RenderInput {
  from: Version;
  to: Version;
  /** Worker nodes in the cluster (≥ the scenario's minimum). */
  workers: number;
  samples: Samples;
  /** The probe program (helpers/probes bundle), shipped to pods in a ConfigMap. */
  probeBundle: string;
  /** Turn skew-policy refusals into `plan.skewFindings` (for reproducing bugs). */
  allowSkew?: boolean;
  timeouts?: Partial<Timeouts>;
  timeoutScale?: number;
  /** RevisionBased `inactiveRevisionDeletionGracePeriodSeconds`; Sail's default 30. */
  revisionGraceSeconds?: number;
  /** Stamped on every object (run-id label) so `cleanup --run` finds them. */
  runId?: string;
}

export const DEFAULT_REVISION_GRACE_SECONDS = 30;

/**
 * Renders a scenario into the plan the runner executes. Pure: no I/O. Refuses (UserError, one line) an unknown
 * scenario, too few workers, and any skew-policy violation: the version change itself (direction, the
 * strategy's step size) and every state the plan's own steps pass through; `allowSkew` records them instead.
 */
export function renderPlan(scenarioName: string, input: RenderInput): Plan {
  const scenario = findScenario(scenarioName);
  if (!scenario) {
    throw new UserError(`unknown scenario "${scenarioName}" — use one of: ${SCENARIO_NAMES.join(', ')}`);
  }
  if (!Number.isInteger(input.workers) || input.workers < scenario.minWorkers) {
    throw new UserError(
      `scenario ${scenario.name} needs at least ${scenario.minWorkers} worker node${scenario.minWorkers === 1 ? '' : 's'}, got ${input.workers} — pass --workers ${Math.max(2, scenario.minWorkers)}`,
    );
  }
  const allowSkew = input.allowSkew ?? false;
  const findings: string[] = [];
  const change = checkVersionChange(input.from, input.to, scenario.strategy);
  if (!change.ok) findings.push(change.reason);
  if (findings.length > 0 && !allowSkew) throw new UserError(`${scenario.name}: ${findings[0]}`);

  const revisionGraceSeconds = input.revisionGraceSeconds ?? DEFAULT_REVISION_GRACE_SECONDS;
  if (!Number.isInteger(revisionGraceSeconds) || revisionGraceSeconds < 0) {
    throw new UserError(
      `revision grace ${revisionGraceSeconds} is not a whole number of seconds ≥ 0 — pass e.g. 30`,
    );
  }
  const context: ScenarioContext = {
    from: input.from,
    to: input.to,
    fromSail: formatSail(input.from),
    toSail: formatSail(input.to),
    workers: input.workers,
    samples: input.samples,
    probeBundle: input.probeBundle,
    timeouts: resolveTimeouts(input.timeouts ?? {}, input.timeoutScale ?? 1),
    revisionGraceSeconds,
    ...(input.runId === undefined ? {} : { runId: input.runId }),
  };
  const steps = scenario.steps(context);

  const states = checkPlanSkew(steps);
  if (states.length > 0 && !allowSkew) throw new UserError(`${scenario.name}: ${states[0]}`);
  findings.push(...states);

  return {
    scenario: scenario.name,
    description: scenario.description,
    from: context.fromSail,
    to: context.toSail,
    strategy: scenario.strategy,
    workers: input.workers,
    allowSkew,
    skewFindings: findings,
    deviations: [...scenario.deviations],
    steps,
  };
}
