import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PROVIDER_NAMES } from '../clusters/types.ts';
import { CAPABILITIES } from '../helpers/capabilities.ts';

/**
 * What `ambient-upgrade run` hands to the e2e suites. The CLI writes it to the run folder and names the file in
 * `AUS_RUN_CONFIG`; vitest workers inherit the environment. Without it there is no cluster the suites may touch.
 */
export const RunConfig = z.object({
  runId: z.string().min(1),
  runDir: z.string().min(1),
  kubeconfigPath: z.string().min(1),
  context: z.string().optional(),
  provider: z.enum(PROVIDER_NAMES),
  /** What the provider declared its cluster can do; a step needing anything else is reported not run. */
  capabilities: z.array(z.enum(CAPABILITIES)),
  openshift: z.boolean(),
  scenarios: z.array(z.string()).min(1),
  from: z.string(),
  to: z.string(),
  workers: z.number().int().min(2),
  operatorVersion: z.string(),
  manifestsDir: z.string().optional(),
  cacheDir: z.string(),
  allowSkew: z.boolean(),
  reportsDir: z.string(),
  timeoutScale: z.number().positive(),
});
export type RunConfig = z.infer<typeof RunConfig>;

export const RUN_CONFIG_ENV = 'AUS_RUN_CONFIG';

export const NO_CLUSTER_REASON =
  'no live cluster: scenarios run through `npx ambient-upgrade run` (fresh kind cluster) or ' +
  '`npx ambient-upgrade run --kubeconfig <file> --allow-cluster <context>`';

export type RunConfigResult = { ok: true; config: RunConfig } | { ok: false; reason: string };

/** Reads the run config named by the environment; every way of not having one is a skip reason, not a crash. */
export function readRunConfig(env: NodeJS.ProcessEnv = process.env): RunConfigResult {
  const file = env[RUN_CONFIG_ENV];
  if (!file) return { ok: false, reason: NO_CLUSTER_REASON };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: `run config ${file} is unreadable (${(error as Error).message}) — rerun ambient-upgrade run`,
    };
  }
  const parsed = RunConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `run config ${file} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message} — rerun ambient-upgrade run`,
    };
  }
  return { ok: true, config: parsed.data };
}

/** Why a scenario does not run in this invocation, or undefined when it does. */
export function scenarioSkipReason(result: RunConfigResult, scenario: string): string | undefined {
  if (!result.ok) return result.reason;
  if (!result.config.scenarios.includes(scenario)) {
    return `not selected in this run (--scenario ${result.config.scenarios.join(', ')})`;
  }
  return undefined;
}
