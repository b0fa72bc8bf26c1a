import type { Kube } from '../helpers/k8s/client.ts';
import { sweepRunObjects } from './sweep.ts';

/**
 * Between scenarios: remove what the previous scenario made (the operator stays) and wait, under one deadline,
 * until it is gone, its IstioRevisions included. A scenario never starts on leftovers: what did not go is an
 * error naming each object.
 */
export async function resetForScenario(
  kube: Kube,
  config: { runId: string; runDir: string },
  deadlineMs: number,
  signal: AbortSignal,
): Promise<void> {
  const result = await sweepRunObjects(kube, config.runId, {
    runDir: config.runDir,
    scope: 'scenario',
    deadlineMs,
    signal,
  });
  if (result.leftovers.length > 0) {
    throw new Error(
      `the previous scenario's objects did not all go within ${Math.round(deadlineMs / 1000)} s: ${result.leftovers.join('; ')}`,
    );
  }
}
