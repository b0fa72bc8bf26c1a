import { Listr } from 'listr2';

/** Named steps of a run: a spinner on a terminal, plain lines in CI logs. */
export interface Progress {
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** A line for the user (stdout). */
  info(line: string): void;
  /** A line about a problem (stderr). */
  warn(line: string): void;
}

export interface ProgressStreams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Plain lines: what CI logs keep, and what tests read. */
export function plainProgress(
  { out, err }: ProgressStreams = { out: process.stdout, err: process.stderr },
): Progress {
  return {
    async step(title, body) {
      out.write(`• ${title}\n`);
      try {
        const value = await body();
        out.write(`✔ ${title}\n`);
        return value;
      } catch (error) {
        err.write(`✖ ${title}\n`);
        throw error;
      }
    },
    info: (line) => out.write(`${line}\n`),
    warn: (line) => err.write(`${line}\n`),
  };
}

/** listr2's spinner; it owns no signal handling, the run's guard does. */
export function listrProgress(): Progress {
  return {
    async step<T>(title: string, body: () => Promise<T>): Promise<T> {
      let value: T | undefined;
      let done = false;
      const list = new Listr(
        [
          {
            title,
            task: async () => {
              value = await body();
              done = true;
            },
          },
        ],
        { exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
      );
      await list.run();
      if (!done) throw new Error(`${title} did not complete`);
      return value as T;
    },
    info: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  };
}

/** A spinner only where someone watches a terminal; CI sets `CI`. */
export function chooseProgress(env: NodeJS.ProcessEnv = process.env): Progress {
  return process.stdout.isTTY && !env.CI ? listrProgress() : plainProgress();
}
