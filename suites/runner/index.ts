import type { Step } from '../../helpers/plan/types.ts';
import { runApply, runDelete, runDrain, runLabel, runUpgrade } from './actions.ts';
import type { RunContext } from './context.ts';
import type { StepOutcome } from './outcome.ts';
import { runProbeStep } from './probes.ts';
import { runWait } from './wait.ts';

type Runner<A extends Step['action']> = (
  step: Extract<Step, { action: A }>,
  ctx: RunContext,
) => Promise<StepOutcome>;

/** One runner per plan action; the mapped type makes a new action a compile error until it has a runner. */
export const runners: { [A in Step['action']]: Runner<A> } = {
  apply: runApply,
  wait: runWait,
  probe: runProbeStep,
  upgrade: runUpgrade,
  drain: runDrain,
  delete: runDelete,
  label: runLabel,
};

export async function runStep(step: Step, ctx: RunContext): Promise<StepOutcome> {
  const runner = runners[step.action] as (s: Step, c: RunContext) => Promise<StepOutcome>;
  return runner(step, ctx);
}
