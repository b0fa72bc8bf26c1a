import { createProgress, type Progress as TaskProgress } from '../helpers/report/progress.ts';

/** Named steps of a run plus lines for the user: the run lifecycle's reporter. */
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

/**
 * Steps go through the shared reporter (helpers/report/progress.ts: a spinner on a terminal, timestamped lines in
 * CI), so the cluster setup and the suites' installs look alike; `info`/`warn` are plain lines.
 */
export function runProgress(
  tasks: TaskProgress,
  { out, err }: ProgressStreams = { out: process.stdout, err: process.stderr },
): Progress {
  return {
    step: (title, body) => tasks.task(title, () => body()),
    info: (line) => out.write(`${line}\n`),
    warn: (line) => err.write(`${line}\n`),
  };
}

/** Plain lines only (tests, pipes): steps as timestamped lines on `err`. */
export function plainProgress(streams?: ProgressStreams): Progress {
  const err = streams?.err ?? process.stderr;
  return runProgress(
    createProgress({ CI: 'true' }, false, (line) => err.write(`${line}\n`)),
    streams,
  );
}

/** A spinner only where someone watches a terminal; CI sets `CI`. */
export function chooseProgress(env: NodeJS.ProcessEnv = process.env): Progress {
  return runProgress(createProgress(env));
}
