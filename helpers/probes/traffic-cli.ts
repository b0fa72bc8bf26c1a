import { rename, writeFile } from 'node:fs/promises';
import {
  ArgError,
  numberArg,
  optionalString,
  parseCommand,
  parseProbeArgs,
  requireString,
  urlArg,
} from './args.ts';
import { type ProbeIo, processIo } from './io.ts';
import {
  DEFAULT_MAX_IN_FLIGHT,
  httpTrafficSender,
  parseExpectStatus,
  runTraffic,
  type StatusExpectation,
  TRAFFIC_FAILURES_KEPT,
  type TrafficClock,
  type TrafficOutcome,
  type TrafficReport,
  type TrafficSender,
} from './traffic.ts';

export const TRAFFIC_HELP = `Usage: probe traffic --url URL --per-second R --duration S --out FILE
                     [--timeout MS] [--expect-status 2xx] [--max-in-flight N]

Sends GET requests at a steady rate, each on a new connection: request k starts at started + k/R whatever became
of the earlier ones (they overlap, up to --max-in-flight). Stops after --duration, or early on SIGTERM/SIGINT;
waits for requests in flight (each ends within --timeout), then writes FILE (JSON) and exits 0:
  {"url","started","ended","stoppedBy","perSecond","timeoutMs","expectStatus","attempted","succeeded","failed",
   "failuresByReason":{…},"failures":[{"at","error","status"?,"detail"}],"lastFailureAt",
   "firstSucceeded","lastSucceeded","latencyMs":{"p50","p99","max"}}            (times: epoch ms)

Failure reasons: status (a response outside --expect-status), timeout, refused, reset, network, skipped (not
sent: --max-in-flight requests still outstanding). "at" is when the request started. Counts are exact; failures
lists the first ${TRAFFIC_FAILURES_KEPT}. Latency is over successful requests.

Options:
  --url URL              http:// or https:// URL to GET (required)
  --per-second R         requests started per second (required)
  --duration S           seconds to run (required)
  --out FILE             where to write the JSON report (required)
  --timeout MS           deadline per request: connect + response + body (default 5000)
  --expect-status LIST   statuses that succeed: classes and codes, e.g. 2xx or 200,3xx (default 2xx)
  --max-in-flight N      requests outstanding at once (default ${DEFAULT_MAX_IN_FLIGHT})
  -h, --help             show this help

Exit: 0 when the report was written (the suite judges its content), 1 if FILE cannot be written, 2 bad arguments.
`;

export interface TrafficArgs {
  url: URL;
  perSecond: number;
  durationMs: number;
  out: string;
  timeoutMs: number;
  expectStatus: StatusExpectation;
  maxInFlight: number;
}

export function parseTrafficArgs(argv: readonly string[]): TrafficArgs | 'help' {
  const values = parseProbeArgs(argv, {
    url: { type: 'string' },
    'per-second': { type: 'string' },
    duration: { type: 'string' },
    out: { type: 'string' },
    timeout: { type: 'string' },
    'expect-status': { type: 'string' },
    'max-in-flight': { type: 'string' },
  });
  if (values.help === true) return 'help';
  const url = urlArg('url', requireString(values, 'url'), ['http:', 'https:']);
  const perSecond = numberArg('per-second', requireString(values, 'per-second'), { min: 0.01, max: 1000 });
  const durationS = numberArg('duration', requireString(values, 'duration'), { min: 0.001, max: 7 * 86_400 });
  const out = requireString(values, 'out');
  const timeout = optionalString(values, 'timeout');
  const timeoutMs =
    timeout === undefined ? 5000 : numberArg('timeout', timeout, { min: 1, max: 600_000, integer: true });
  const rawExpect = optionalString(values, 'expect-status') ?? '2xx';
  let expectStatus: StatusExpectation;
  try {
    expectStatus = parseExpectStatus(rawExpect);
  } catch (error) {
    throw new ArgError(`--expect-status: ${(error as Error).message}`);
  }
  const rawMax = optionalString(values, 'max-in-flight');
  const maxInFlight =
    rawMax === undefined
      ? DEFAULT_MAX_IN_FLIGHT
      : numberArg('max-in-flight', rawMax, { min: 1, max: 100_000, integer: true });
  return {
    url,
    perSecond,
    durationMs: Math.round(durationS * 1000),
    out,
    timeoutMs,
    expectStatus,
    maxInFlight,
  };
}

/** Test seams: a fake sender and clock, a stop signal standing in for SIGTERM, a progress callback. */
export interface TrafficDeps {
  send?: TrafficSender;
  clock?: TrafficClock;
  signal?: AbortSignal;
  onOutcome?: (outcome: TrafficOutcome) => void;
}

/** Runs the probe; SIGTERM/SIGINT stop it early and it still writes the report and exits 0. */
export async function trafficMain(
  argv: readonly string[],
  io: ProbeIo = processIo,
  deps: TrafficDeps = {},
): Promise<number> {
  const args = parseCommand('traffic', argv, parseTrafficArgs, TRAFFIC_HELP, io);
  if (typeof args === 'number') return args;
  const { out, url } = args;
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  // `on`, not `once`: a signal can arrive twice (a terminal signals the whole group and tsx relays it again), and
  // a second one must not kill the probe before the report is written. The wait is bounded by --timeout.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (deps.signal?.aborted) onSignal();
  deps.signal?.addEventListener('abort', onSignal, { once: true });
  let report: TrafficReport;
  try {
    report = await runTraffic({
      url: url.href,
      perSecond: args.perSecond,
      durationMs: args.durationMs,
      timeoutMs: args.timeoutMs,
      expectStatus: args.expectStatus,
      maxInFlight: args.maxInFlight,
      signal: controller.signal,
      send: deps.send ?? httpTrafficSender(url, args.timeoutMs),
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.onOutcome === undefined ? {} : { onOutcome: deps.onOutcome }),
    });
    // Write then rename so a reader never sees half a file.
    const partial = `${out}.partial-${process.pid}`;
    try {
      await writeFile(partial, `${JSON.stringify(report)}\n`);
      await rename(partial, out);
    } catch (error) {
      io.stderr(
        `probe traffic: cannot write ${out}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 1;
    }
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    deps.signal?.removeEventListener('abort', onSignal);
  }
  io.stdout(
    `${JSON.stringify({
      out,
      stoppedBy: report.stoppedBy,
      attempted: report.attempted,
      succeeded: report.succeeded,
      failed: report.failed,
      failuresByReason: report.failuresByReason,
    })}\n`,
  );
  return 0;
}
