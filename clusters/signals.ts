export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface SignalGuard {
  /** The first signal received, if any. */
  readonly received: StopSignal | undefined;
  uninstall(): void;
}

/** Conventional exit codes for a process stopped by a signal (128 + signal number). */
export const SIGNAL_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * On the first SIGINT/SIGTERM: abort the shared controller, so every wait, watch and child process stops, and let
 * the caller's `finally` run the cleanup stack. A second signal means the user gave up on cleanup: say what may
 * be left and exit at once.
 */
export function guardSignals(
  controller: AbortController,
  {
    onSecond,
    write = (line) => process.stderr.write(`${line}\n`),
  }: { onSecond: () => string; write?: (line: string) => void },
): SignalGuard {
  let received: StopSignal | undefined;
  const handler = (signal: StopSignal): void => {
    if (received) {
      write(onSecond());
      process.exit(SIGNAL_EXIT_CODE[signal]);
    }
    received = signal;
    write(`${signal} received — stopping and cleaning up (press Ctrl-C again to skip cleanup)`);
    controller.abort(new Error(`stopped by ${signal}`));
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get received() {
      return received;
    },
    uninstall() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
