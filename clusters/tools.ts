import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/** Finds an executable on PATH without spawning anything, so a missing tool is reported in milliseconds. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, `${name}${ext}`);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ToolOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Stream the tool's output to ours (long commands such as `kind create cluster`). */
  inherit?: boolean;
  /** Called with every output line (stdout and stderr) as it arrives: progress for long steps. */
  onLine?: (line: string) => void;
}

/**
 * Runs a CLI with an argument array (never a shell string). Does not throw on a non-zero exit: callers turn the
 * result into an error that names what failed. Aborting the signal kills the child.
 */
export async function runTool(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  const { onLine } = options;
  // A line transform keeps the output collected (for errors) while the caller sees each line as it comes.
  const tap = onLine
    ? function* (line: unknown) {
        onLine(String(line));
        yield line;
      }
    : undefined;
  const result = await execa(command, [...args], {
    reject: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.env ? { env: options.env } : {}),
    stdout: tap ? [tap, 'pipe'] : options.inherit ? ['pipe', 'inherit'] : 'pipe',
    stderr: tap ? [tap, 'pipe'] : options.inherit ? ['pipe', 'inherit'] : 'pipe',
    forceKillAfterDelay: 5_000,
  });
  if (result.isCanceled) throw options.signal?.reason ?? new Error(`${command} was cancelled`);
  if (result.failed && result.exitCode === undefined && !result.timedOut) {
    // The command could not start at all (ENOENT, EACCES): there is no exit code to report.
    throw new Error(`${command} could not be started: ${result.originalMessage ?? result.shortMessage}`);
  }
  return {
    exitCode: result.exitCode ?? 1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
  };
}

/** Runs a tool and throws an Error with its last stderr line when it exits non-zero. */
export async function runToolOrThrow(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolResult> {
  const result = await runTool(command, args, options);
  if (result.exitCode !== 0 || result.timedOut) {
    const last = lastLine(result.stderr) || lastLine(result.stdout);
    if (result.timedOut) {
      // A hung daemon: say which command, how long it had and the last thing it printed.
      const seconds = Math.round((options.timeoutMs ?? 0) / 1000);
      throw new Error(
        `${command} ${args.join(' ')} timed out after ${seconds}s; last output: ${last || '(none)'}`,
      );
    }
    throw new Error(`${command} ${args.join(' ')} failed: ${last || `exit code ${result.exitCode}`}`);
  }
  return result;
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}
