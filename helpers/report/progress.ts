import { Listr } from 'listr2';

/** `update(line)` shows what a long task is doing now ("3/5 nodes drained"). */
export type TaskBody<T> = (update: (line: string) => void) => Promise<T>;

export interface Progress {
  task<T>(title: string, fn: TaskBody<T>): Promise<T>;
}

export interface PlainProgressOptions {
  write?: (line: string) => void;
  now?: () => Date;
}

function hms(d: Date): string {
  return d.toISOString().slice(11, 19);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Plain timestamped lines, for CI logs and pipes: spinners and cursor moves turn into noise there.
 * `[12:03:04] ▶ title` … `[12:04:10] ✔ title (66.0 s)` or `✖ title (3.2 s): why`.
 */
export function plainProgress({
  write = (line) => process.stderr.write(`${line}\n`),
  now = () => new Date(),
}: PlainProgressOptions = {}): Progress {
  return {
    async task(title, fn) {
      const started = now();
      write(`[${hms(started)}] ▶ ${title}`);
      try {
        const value = await fn((line) => write(`[${hms(now())}]   ${title}: ${line}`));
        write(`[${hms(now())}] ✔ ${title} (${seconds(now().getTime() - started.getTime())})`);
        return value;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        // One line: a refusal listing several problems (one per line) is printed in full once, by the CLI.
        const [first, ...more] = why.split('\n');
        const rest = more.length > 0 ? ` (+${more.length} more)` : '';
        write(
          `[${hms(now())}] ✖ ${title} (${seconds(now().getTime() - started.getTime())}): ${first}${rest}`,
        );
        throw error;
      }
    },
  };
}

/** listr2's live renderer for an interactive terminal; the task's error propagates unchanged. */
export function listrProgress(): Progress {
  return {
    async task<T>(title: string, fn: TaskBody<T>): Promise<T> {
      let result: { value: T } | undefined;
      await new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              const value = await fn((line) => {
                task.output = line;
              });
              result = { value };
            },
          },
        ],
        // The run owns SIGINT/SIGTERM (it must clean up the cluster); listr must not install its own handlers.
        { exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
      ).run();
      if (result === undefined) throw new Error(`task "${title}" ended without a result`);
      return result.value;
    },
  };
}

/** Plain lines when `CI` is set or stderr is not a terminal (logs, pipes); listr2 on an interactive one. */
export function progressMode(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stderr.isTTY === true,
): 'plain' | 'listr' {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  return ci || !isTTY ? 'plain' : 'listr';
}

export function createProgress(
  env: NodeJS.ProcessEnv = process.env,
  isTTY?: boolean,
  write?: (line: string) => void,
): Progress {
  return progressMode(env, isTTY) === 'plain' ? plainProgress(write ? { write } : {}) : listrProgress();
}

/** The process-wide progress reporter. */
export const progress: Progress = {
  task: (title, fn) => createProgress().task(title, fn),
};

/** One poll of a long wait (the shape `helpers/k8s/wait.ts` reports through `onPoll`). */
export interface WaitTick {
  what: string;
  elapsedMs: number;
  timeoutMs: number;
  last: string;
}

export interface WaitProgressOptions {
  write?: (line: string) => void;
  now?: () => Date;
  /** Quiet for waits shorter than this: most waits end in seconds and need no line. */
  firstAfterMs?: number;
  /** Then one line this often, or sooner (but not within `minGapMs`) when the state seen changes. */
  everyMs?: number;
  minGapMs?: number;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Console progress for long waits: `waiting for Istio/default Ready on v1.30.3: 45 s of 600 s — last seen: …`.
 * Pass the result as a wait's `onPoll`. Waits are told apart by what they wait for; one whose elapsed time goes
 * back is a new wait of the same thing. Lines go to stderr with the task lines' timestamp format.
 */
export function waitProgress({
  write = (line) => process.stderr.write(`${line}\n`),
  now = () => new Date(),
  firstAfterMs = 10_000,
  everyMs = 30_000,
  minGapMs = 5_000,
}: WaitProgressOptions = {}): (tick: WaitTick) => void {
  const seen = new Map<string, { elapsedMs: number; printedAt: number | undefined; last: string }>();
  return (tick) => {
    const prev = seen.get(tick.what);
    const state =
      prev === undefined || tick.elapsedMs < prev.elapsedMs
        ? { elapsedMs: tick.elapsedMs, printedAt: undefined, last: '' }
        : prev;
    const changed = tick.last !== state.last;
    const sincePrint =
      state.printedAt === undefined ? Number.POSITIVE_INFINITY : tick.elapsedMs - state.printedAt;
    const due =
      tick.elapsedMs >= firstAfterMs && (sincePrint >= everyMs || (changed && sincePrint >= minGapMs));
    if (due) {
      write(
        `[${hms(now())}]   waiting for ${tick.what}: ${Math.round(tick.elapsedMs / 1000)} s of ${Math.round(
          tick.timeoutMs / 1000,
        )} s — last seen: ${oneLine(tick.last, 240)}`,
      );
      state.printedAt = tick.elapsedMs;
      state.last = tick.last;
    }
    state.elapsedMs = tick.elapsedMs;
    seen.set(tick.what, state);
  };
}
