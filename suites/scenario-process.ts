import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** After SIGTERM, how long the scenario vitest and its workers get to flush their reporters before SIGKILL. */
export const SCENARIO_KILL_GRACE_MS = 5_000;

export interface ScenarioProcessOptions {
  /** Scenario names; each selects `suites/<name>.e2e.ts`. */
  readonly scenarios: readonly string[];
  /** Environment the scenario files read (the run config file, the reports dir); added to ours. */
  readonly env: Readonly<Record<string, string>>;
  /** The run's signal: aborting it stops the child (SIGTERM, then SIGKILL after the grace). */
  readonly signal: AbortSignal;
  /** The project root (where vitest.config.ts is); this checkout by default. */
  readonly root?: string;
  /** The vitest CLI entry; the installed vitest by default. */
  readonly vitestEntry?: string;
}

export interface ScenarioProcessResult {
  /** vitest's exit code: 0 every test passed, 1 some failed (the summary, not this code, decides the verdict). */
  readonly exitCode: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function installedVitest(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
}

/** The vitest command line for the selected scenarios: only their files, so an unselected one is not a skip. */
export function scenarioVitestArgs(root: string, scenarios: readonly string[]): string[] {
  return [
    'run',
    '--root',
    root,
    '--config',
    join(root, 'vitest.config.ts'),
    '--project',
    'e2e',
    ...scenarios.map((scenario) => `suites/${scenario}.e2e.ts`),
  ];
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing of the group is left
  }
}

/** Resolves once no process of the group is left, or after `ms`. */
async function groupGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (signalGroup(pid, 0)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Runs the scenario suites in a child vitest. In-process, vitest's own SIGINT/SIGTERM listeners (vitest 4.1
 * `Logger.addCleanupListeners`) call `process.exit()` a millisecond after a signal, before the run's cleanup stack
 * could delete the cluster. In a child, those listeners end only the child; the parent keeps the one handler of
 * the run (clusters/signals.ts) and stops the child through the run's signal.
 *
 * The child leads its own process group: vitest runs the scenario files in worker processes that would outlive a
 * stopped vitest for seconds and keep changing the cluster while it is cleaned up. A stop signals the whole group
 * and returns only when the group is gone (SIGKILL after the grace), so cleanup starts on a quiet cluster. For the
 * same reason a terminal's Ctrl-C reaches the child only through the run's signal.
 */
export async function runScenarioProcess(options: ScenarioProcessOptions): Promise<ScenarioProcessResult> {
  const root = options.root ?? ROOT;
  options.signal.throwIfAborted();
  const child = execa(
    process.execPath,
    [options.vitestEntry ?? installedVitest(), ...scenarioVitestArgs(root, options.scenarios)],
    {
      // The user's working directory stays: the run folder and reports may be relative to it.
      env: options.env,
      reject: false,
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      detached: true,
    },
  );
  const pid = child.pid;
  // A second Ctrl-C exits this process at once (clusters/signals.ts): take the group along.
  const killOnExit = () => pid !== undefined && signalGroup(pid, 'SIGKILL');
  process.on('exit', killOnExit);
  let stopped: Promise<boolean> | undefined;
  const stop = () => {
    if (pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    stopped = groupGone(pid, SCENARIO_KILL_GRACE_MS).then((gone) => gone || signalGroup(pid, 'SIGKILL'));
  };
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const result = await child;
    if (options.signal.aborted) {
      await stopped;
      if (pid !== undefined) await groupGone(pid, SCENARIO_KILL_GRACE_MS);
      throw options.signal.reason ?? new Error('the scenario run was cancelled');
    }
    if (result.exitCode === undefined) {
      // Killed from outside or never started: no test result to report.
      throw new Error(`the scenario vitest did not finish: ${result.shortMessage}`);
    }
    return { exitCode: result.exitCode };
  } finally {
    options.signal.removeEventListener('abort', stop);
    process.off('exit', killOnExit);
    // A vitest that ended by itself leaves no workers; a crashed one might.
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }
}
