import type { KubeObject } from '../k8s/types.ts';
import type { Plan } from './types.ts';

/** The slice of helpers/schema's validator the plan needs. */
export interface ObjectValidator {
  validate(object: KubeObject): { ok: true } | { ok: false; errors: string[] };
}

export interface PlanObjectProblem {
  step: string;
  object: string;
  errors: string[];
}

/** Validates every object of every apply step; returns the problems (empty when all pass). */
export function validatePlanObjects(plan: Plan, validator: ObjectValidator): PlanObjectProblem[] {
  const problems: PlanObjectProblem[] = [];
  for (const step of plan.steps) {
    if (step.action !== 'apply') continue;
    for (const object of step.objects) {
      const result = validator.validate(object);
      if (!result.ok) {
        const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
        problems.push({
          step: `${step.id} ${step.name}`,
          object: `${object.kind} ${where}${object.metadata.name}`,
          errors: result.errors,
        });
      }
    }
  }
  return problems;
}

/** Counts apply steps and objects, for the CLI summary. */
export function planCounts(plan: Plan): {
  steps: number;
  applies: number;
  objects: number;
  byAction: Record<string, number>;
} {
  const byAction: Record<string, number> = {};
  let objects = 0;
  for (const step of plan.steps) {
    byAction[step.action] = (byAction[step.action] ?? 0) + 1;
    if (step.action === 'apply') objects += step.objects.length;
  }
  return { steps: plan.steps.length, applies: byAction.apply ?? 0, objects, byAction };
}
