import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupFailure, CleanupStepResult } from './cleanup-stack.ts';
import type { StopSignal } from './signals.ts';

/** `runs/<runId>/cleanup.json`: what the run's cleanup did, and why it ran. */
export const CLEANUP_RECORD_FILE = 'cleanup.json';

export interface CleanupRecord {
  readonly runId: string;
  /** Why the cleanup ran: the body finished, failed, or a signal stopped the run. */
  readonly trigger: 'completed' | 'failed' | StopSignal;
  /** `--keep-cluster` with a cluster that came up: its removal step ran but left it. */
  readonly keptCluster: boolean;
  readonly startedAt: string;
  /** Absent while the cleanup runs: a run killed half-way (a second Ctrl-C) shows how far it got. */
  readonly finishedAt?: string;
  readonly steps: readonly { what: string; ok: boolean; ms: number; error?: string }[];
}

/**
 * Runs the cleanup and keeps `cleanup.json` current after every step, so `cleanup --run` and whoever reads the
 * run folder after a Ctrl-C can see what was removed. A record that cannot be written never stops the cleanup.
 */
export async function recordCleanup(
  runDir: string,
  head: Pick<CleanupRecord, 'runId' | 'trigger' | 'keptCluster'>,
  run: (onDone: (step: CleanupStepResult) => void) => Promise<CleanupFailure[]>,
): Promise<CleanupFailure[]> {
  const steps: CleanupRecord['steps'][number][] = [];
  const startedAt = new Date().toISOString();
  const write = (finishedAt?: string) => {
    const record: CleanupRecord = { ...head, startedAt, ...(finishedAt ? { finishedAt } : {}), steps };
    try {
      // Synchronous: a second signal exits the process between steps, and the record must be whole on disk.
      writeFileSync(join(runDir, CLEANUP_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    } catch {
      // The run folder is evidence, not a precondition: the cluster is removed even if it cannot be written.
    }
  };
  write();
  const failures = await run((step) => {
    steps.push({
      what: step.what,
      ok: step.error === undefined,
      ms: step.ms,
      ...(step.error ? { error: step.error.message } : {}),
    });
    write();
  });
  write(new Date().toISOString());
  return failures;
}
