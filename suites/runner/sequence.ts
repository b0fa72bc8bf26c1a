import type { Step } from '../../helpers/plan/types.ts';

/** What an earlier step left behind that decides whether a later one may run. */
export interface PriorFailure {
  step: Pick<Step, 'id' | 'name' | 'phase' | 'action'>;
  summary: string;
}

/**
 * Whether a failed step stops the rest of the scenario. Anything that changes or waits on the cluster does (the
 * steps after it would act on a state the plan did not reach), and so does any failure before the upgrade: a broken
 * starting point is reported as "baseline", not blamed on the upgrade. A failed verification probe after the upgrade
 * does not: the other checks still say something true about the upgraded mesh.
 */
export function haltsScenario(step: Pick<Step, 'phase' | 'action'>): boolean {
  if (step.action !== 'probe') return true;
  return step.phase !== 'verify';
}

/** One line saying why a step is not run, or undefined when it runs. */
export function notRunReason(halt: PriorFailure | undefined): string | undefined {
  if (!halt) return undefined;
  const where =
    halt.step.phase === 'setup' || halt.step.phase === 'baseline'
      ? 'the starting point is broken'
      : 'the upgrade did not complete';
  return `not run: ${where} — step ${halt.step.id} "${halt.step.name}" failed: ${halt.summary}`;
}

/** The summary's check name of a step: probes and waits are checks; applies, patches and labels are only steps. */
export function checkName(step: Pick<Step, 'id' | 'name' | 'action'>): string | undefined {
  return step.action === 'probe' || step.action === 'wait' || step.action === 'drain'
    ? `${step.id} ${step.name}`
    : undefined;
}
