// The version pair `run` was given, checked against the skew policy for every selected scenario before any
// prerequisite: so a downgrade and a missing tool are reported together, not one per attempt.

import { PrerequisiteError } from '../clusters/kind/prerequisites.ts';
import { isUserError } from '../helpers/errors.ts';
import { findScenario } from '../helpers/plan/scenarios/index.ts';
import { checkUpgrade } from '../helpers/versions/skew.ts';
import { parseVersion } from '../helpers/versions/version.ts';
import { SMOKE_SCENARIO } from './constants.ts';
import type { RunOptions } from './run-options.ts';

/** One line per selected scenario whose upgrade `--from` → `--to` the policy refuses (none with --allow-skew). */
export function versionPairProblems(
  options: Pick<RunOptions, 'scenarios' | 'from' | 'to' | 'allowSkew'>,
): string[] {
  if (options.allowSkew || options.from === undefined || options.to === undefined) return [];
  const from = parseVersion(options.from);
  const to = parseVersion(options.to);
  const problems = new Map<string, string[]>();
  for (const name of options.scenarios) {
    if (name === SMOKE_SCENARIO) continue; // installs --from only; nothing is upgraded
    const scenario = findScenario(name);
    if (!scenario) continue;
    const verdict = checkUpgrade({ from, to, strategy: scenario.strategy });
    if (!verdict.ok) problems.set(verdict.reason, [...(problems.get(verdict.reason) ?? []), name]);
  }
  // The same reason (a downgrade) for several scenarios is one line naming them all.
  return [...problems].map(([reason, names]) => `${names.join(', ')}: ${reason}`);
}

/**
 * Runs the prerequisite checks and reports their problems together with the version pair's, one line each.
 * With no version problem, whatever the checks throw passes through unchanged.
 */
export async function withVersionProblems<T>(
  problems: readonly string[],
  check: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await check();
  } catch (error) {
    if (problems.length === 0) throw error;
    if (error instanceof PrerequisiteError) throw new PrerequisiteError([...problems, ...error.problems]);
    if (isUserError(error)) throw new PrerequisiteError([...problems, error.message]);
    throw error;
  }
  if (problems.length > 0) throw new PrerequisiteError(problems);
  return result;
}
