import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordCleanup } from './cleanup-record.ts';
import { CleanupStack } from './cleanup-stack.ts';
import type { ContainerEngine } from './container-engine.ts';
import { guardSignals, SIGNAL_EXIT_CODE, type StopSignal } from './signals.ts';
import type { ClusterHandle, ClusterProvider, ProviderName } from './types.ts';
import { canExplainKeep } from './types.ts';

/** Named steps and user-facing lines; the CLI supplies a spinner or plain lines. */
export interface Reporter {
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  info(line: string): void;
  warn(line: string): void;
}

/** What `run.json` records, so `cleanup --run <id>` knows what to sweep after a crash. */
export interface RunRecord {
  readonly runId: string;
  readonly provider: ProviderName;
  /** kind cluster name, or the context of an existing cluster. */
  readonly clusterName: string;
  readonly kubeconfigPath: string;
  readonly context?: string;
  /** kind only: the container engine the cluster runs on, so `cleanup` drives the same one. */
  readonly engine?: ContainerEngine;
  readonly startedAt: string;
}

export const RUN_RECORD_FILE = 'run.json';

export interface RunContext {
  readonly runId: string;
  readonly runDir: string;
  readonly handle: ClusterHandle;
  readonly signal: AbortSignal;
  readonly cleanup: CleanupStack;
}

export interface LifecycleOptions<T = unknown> {
  readonly runId: string;
  readonly runDir: string;
  readonly provider: ClusterProvider;
  readonly record: RunRecord;
  readonly keepCluster: boolean;
  readonly reporter: Reporter;
  /** Shared by every wait, watch and child process of the run; aborted first on SIGINT/SIGTERM. */
  readonly controller?: AbortController;
  /** Whether a completed body's value is a pass; anything else gets its node logs exported before teardown. */
  readonly isOk?: (value: T) => boolean;
}

export type LifecycleOutcome<T> =
  | { readonly kind: 'completed'; readonly value: T; readonly cleanupFailed: boolean }
  | { readonly kind: 'failed'; readonly error: unknown; readonly cleanupFailed: boolean }
  | {
      readonly kind: 'stopped';
      readonly signal: StopSignal;
      readonly exitCode: number;
      readonly cleanupFailed: boolean;
    };

/**
 * One run, start to finish: the run folder and `run.json`, the cluster (created or attached), the body, and a
 * cleanup stack that runs after success, failure and SIGINT/SIGTERM alike. The cluster's undo is registered
 * before it is created, so a half-created cluster is removed too. With `keepCluster`, a cluster that came up is
 * kept and the user told how to reach and delete it.
 */
export async function runLifecycle<T>(
  options: LifecycleOptions<T>,
  body: (context: RunContext) => Promise<T>,
): Promise<LifecycleOutcome<T>> {
  const { runId, runDir, provider, reporter, keepCluster } = options;
  const controller = options.controller ?? new AbortController();
  const cleanup = new CleanupStack();
  const guard = guardSignals(controller, {
    write: (line) => reporter.warn(line),
    onSecond: () =>
      `second signal: cleanup skipped — remove what is left with: npx ambient-upgrade cleanup --run ${runId}`,
  });
  const signal = controller.signal;
  let clusterUp = false;
  let outcome: { kind: 'completed'; value: T } | { kind: 'failed'; error: unknown };
  try {
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, RUN_RECORD_FILE), `${JSON.stringify(options.record, null, 2)}\n`);
    cleanup.push(`remove ${provider.describe()}`, async () => {
      if (keepCluster && clusterUp) return;
      await reporter.step(`clean up ${provider.describe()}`, () => provider.destroy());
    });
    const handle = await reporter.step(`set up ${provider.describe()}`, () => provider.up(signal));
    clusterUp = true;
    const value = await body({ runId, runDir, handle, signal, cleanup });
    outcome = { kind: 'completed', value };
  } catch (error) {
    outcome = { kind: 'failed', error };
  }
  const notOk = outcome.kind === 'failed' || !(options.isOk?.(outcome.value) ?? true);
  // A stopped run skips this: the user (or CI's cancel) asked for the machine back, and kind's export takes long.
  if (notOk && clusterUp && !signal.aborted) {
    // Evidence before teardown: a failed run's node logs are the first thing anyone asks for.
    const logsDir = join(runDir, 'logs');
    await provider
      .exportLogs(logsDir)
      .then(() => reporter.info(`cluster logs: ${logsDir}`))
      .catch((error: unknown) => reporter.warn(`could not export cluster logs: ${(error as Error).message}`));
  }
  const failures = await recordCleanup(
    runDir,
    { runId, trigger: guard.received ?? outcome.kind, keptCluster: keepCluster && clusterUp },
    (onDone) => cleanup.runAll(onDone),
  );
  for (const failure of failures) reporter.warn(`cleanup: ${failure.what} failed: ${failure.error.message}`);
  if (failures.length > 0) {
    reporter.warn(`some cleanup failed — retry with: npx ambient-upgrade cleanup --run ${runId}`);
  }
  if (keepCluster && clusterUp && canExplainKeep(provider)) {
    for (const line of provider.keepInstructions(runId)) reporter.info(line);
  }
  guard.uninstall();
  const cleanupFailed = failures.length > 0;
  const stoppedBy = guard.received;
  if (stoppedBy)
    return { kind: 'stopped', signal: stoppedBy, exitCode: SIGNAL_EXIT_CODE[stoppedBy], cleanupFailed };
  return { ...outcome, cleanupFailed };
}
