import {
  CAPABILITIES,
  type Capability,
  capabilityNotRunReason,
  missingCapabilities,
} from '../../helpers/capabilities.ts';
import { stepBasis, stepNeeds } from '../../helpers/plan/needs.ts';
import type { Step } from '../../helpers/plan/types.ts';

/** A step the cluster cannot run: what it lacks, and the one-line reason the report shows. */
export interface UnmetNeeds {
  missing: Capability[];
  reason: string;
}

/** Undefined when the cluster has everything the step needs; else `not run: <capability> missing`. */
export function unmetNeeds(step: Step, has: ReadonlySet<Capability>): UnmetNeeds | undefined {
  const missing = missingCapabilities(stepNeeds(step), has);
  return missing.length === 0 ? undefined : { missing, reason: capabilityNotRunReason(missing) };
}

/** What a step that runs proves on this cluster, when less than on a full one (e.g. `revision-gone` on kwok). */
export function basisOn(step: Step, has: ReadonlySet<Capability>): string | undefined {
  return stepBasis(step, new Set(CAPABILITIES.filter((c) => !has.has(c))));
}
