import { rename, rm, writeFile } from 'node:fs/promises';
import { numberArg, optionalString, parseCommand, parseProbeArgs, requireString, targetArg } from './args.ts';
import { type ConnectionsOptions, DEFAULT_ECHO_TIMEOUT_MS, runConnections } from './connections.ts';
import { type ProbeIo, processIo } from './io.ts';
import type { ConnectionsReport } from './verdicts.ts';

export const CONNECTIONS_HELP = `Usage: probe connections --target HOST:PORT --count N --duration S --out FILE
                         [--interval MS] [--echo-timeout MS] [--new-per-second R] [--planned-life S]

Holds N long-lived TCP connections to a line echo server (socat EXEC:cat, or probe echo-server), writes a line on
each every interval and checks its echo; meanwhile opens R short connections per second (connect, one echo,
close). Stops after --duration, or early on SIGTERM/SIGINT, then writes FILE (JSON) and exits 0:
  {"long":[{"id","opened","closed","outcome","lastEcho","echoes","worstEchoMs","error"?}],
   "new":{"attempted","succeeded","failed","firstSucceeded","lastSucceeded","slowestMs",
          "failures":[{"at","ended","stage","error"}]},
   "target","started","ended","intervalMs","echoTimeoutMs","plannedLifeMs","stoppedBy"}   (times: epoch ms)

Long outcomes: open (alive at the end), closed (ended cleanly by --planned-life), reset (ECONNRESET),
eof (peer closed), timeout (no echo within --echo-timeout), error (connect failure, wrong echo). A late echo is
not an end: one line is in flight at a time, worstEchoMs records the slowest. A timeout's "closed" is its last
answered echo (or the unanswered send if none was answered), not when the timeout was noticed.
Short connections: "at" is when the attempt started, "ended" when it failed; each has --echo-timeout to connect
and echo; "stage" says which it was waiting for.

Options:
  --target HOST:PORT     echo server ([IPv6]:PORT for IPv6)
  --count N              long-lived connections to hold (0 allowed)
  --duration S           seconds to run
  --out FILE             where to write the JSON report
  --interval MS          echo interval (default 1000)
  --echo-timeout MS      a missing echo ends a long connection as timeout after this long; also the deadline of
                         each short connection (default ${DEFAULT_ECHO_TIMEOUT_MS})
  --new-per-second R     short connections per second (default 1; 0 disables)
  --planned-life S       each long connection closes itself cleanly S seconds after it opened
  -h, --help             show this help

Exit: 0 when the report was written (the suite judges its content), 1 if FILE cannot be written, 2 bad arguments.
`;

export type ConnectionsArgs = Omit<ConnectionsOptions, 'signal'> & { out: string };

export function parseConnectionsArgs(argv: readonly string[]): ConnectionsArgs | 'help' {
  const values = parseProbeArgs(argv, {
    target: { type: 'string' },
    count: { type: 'string' },
    duration: { type: 'string' },
    interval: { type: 'string' },
    'echo-timeout': { type: 'string' },
    'new-per-second': { type: 'string' },
    'planned-life': { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help === true) return 'help';
  const { host, port } = targetArg('target', requireString(values, 'target'));
  const count = numberArg('count', requireString(values, 'count'), { min: 0, max: 100_000, integer: true });
  const durationS = numberArg('duration', requireString(values, 'duration'), { min: 0.001, max: 7 * 86_400 });
  const out = requireString(values, 'out');
  const interval = optionalString(values, 'interval');
  const intervalMs =
    interval === undefined
      ? 1000
      : numberArg('interval', interval, { min: 10, max: 3_600_000, integer: true });
  const echoTimeout = optionalString(values, 'echo-timeout');
  const echoTimeoutMs =
    echoTimeout === undefined
      ? DEFAULT_ECHO_TIMEOUT_MS
      : numberArg('echo-timeout', echoTimeout, { min: 10, max: 3_600_000, integer: true });
  const rate = optionalString(values, 'new-per-second');
  const newPerSecond = rate === undefined ? 1 : numberArg('new-per-second', rate, { min: 0, max: 1000 });
  const life = optionalString(values, 'planned-life');
  const plannedLifeMs =
    life === undefined
      ? null
      : Math.round(numberArg('planned-life', life, { min: 0.001, max: 7 * 86_400 }) * 1000);
  return {
    host,
    port,
    count,
    durationMs: Math.round(durationS * 1000),
    intervalMs,
    echoTimeoutMs,
    newPerSecond,
    plannedLifeMs,
    out,
  };
}

/** Runs the probe; SIGTERM/SIGINT stop it early and it still writes the report and exits 0. */
export async function connectionsMain(argv: readonly string[], io: ProbeIo = processIo): Promise<number> {
  const args = parseCommand('connections', argv, parseConnectionsArgs, CONNECTIONS_HELP, io);
  if (typeof args === 'number') return args;
  const { out, ...options } = args;
  // Before any connection: a report that cannot be written would throw away a run of minutes at its end.
  const partial = `${out}.partial-${process.pid}`;
  try {
    await writeFile(partial, '');
  } catch (error) {
    io.stderr(
      `probe connections: cannot write ${out}: ${error instanceof Error ? error.message : String(error)} — give --out a writable path\n`,
    );
    return 1;
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let report: ConnectionsReport;
  try {
    report = await runConnections({ ...options, signal: controller.signal });
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  try {
    // Write then rename so a reader never sees half a file.
    await writeFile(partial, `${JSON.stringify(report)}\n`);
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    io.stderr(
      `probe connections: cannot write ${out}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  io.stdout(`${JSON.stringify(summarise(report, out))}\n`);
  return 0;
}

/** One stdout line so a human (or kubectl logs) sees the gist without the file. */
export function summarise(report: ConnectionsReport, out: string): Record<string, unknown> {
  const outcomes: Record<string, number> = {};
  for (const c of report.long) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
  return {
    out,
    stoppedBy: report.stoppedBy,
    long: outcomes,
    new: { attempted: report.new.attempted, succeeded: report.new.succeeded, failed: report.new.failed },
  };
}
