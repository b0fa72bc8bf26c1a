import { z } from 'zod';
import { type HttpGetResult, httpGet } from './http-get.ts';

// `probe traffic`: GET requests at a steady rate, each on a new connection, for the "new connections never fail"
// promise of a ztunnel drain (FACTS §5). Requests are started by a timer on a fixed grid (request k is due at
// started + k / rate), never back-to-back, so a slow or hung response does not thin out the traffic; they overlap
// up to `maxInFlight`. Every outcome is counted; the suite judges the report (`failed == 0`).

/** Why one request failed. `status`: a response outside --expect-status; `skipped`: its slot came while
 * `maxInFlight` requests were still outstanding (the target is hanging), so it was not sent. */
export const TrafficFailureReason = z.enum(['status', 'timeout', 'refused', 'reset', 'network', 'skipped']);
export type TrafficFailureReason = z.infer<typeof TrafficFailureReason>;

const epochMs = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const millis = z.number().nonnegative().nullable();

export const TrafficFailure = z.object({
  /** When the request was started (epoch ms). */
  at: epochMs,
  error: TrafficFailureReason,
  /** The response status, for `status` failures. */
  status: z.number().int().optional(),
  /** What the socket or server said, for a human. */
  detail: z.string(),
});
export type TrafficFailure = z.infer<typeof TrafficFailure>;

export const TrafficReport = z.object({
  url: z.string(),
  started: epochMs,
  /** When the probe stopped sending (duration elapsed or signal); requests in flight then are still counted. */
  ended: epochMs,
  stoppedBy: z.enum(['duration', 'signal']),
  perSecond: z.number().positive(),
  timeoutMs: z.number().int().positive(),
  expectStatus: z.string(),
  attempted: count,
  succeeded: count,
  failed: count,
  /** Exact counts per reason; `failures` itself is capped. */
  failuresByReason: z.partialRecord(TrafficFailureReason, count),
  /** The first failures, at most `TRAFFIC_FAILURES_KEPT`, in start order. */
  failures: z.array(TrafficFailure),
  lastFailureAt: epochMs.nullable(),
  firstSucceeded: epochMs.nullable(),
  lastSucceeded: epochMs.nullable(),
  /** Over successful requests (connect to end of body); 1 % resolution below max; null when none succeeded. */
  latencyMs: z.object({ p50: millis, p99: millis, max: millis }),
});
export type TrafficReport = z.infer<typeof TrafficReport>;

export const TRAFFIC_FAILURES_KEPT = 200;
export const DEFAULT_MAX_IN_FLIGHT = 256;

/** Which statuses count as success, e.g. `2xx` or `200,3xx`. */
export interface StatusExpectation {
  text: string;
  matches: (status: number) => boolean;
}

/** `2xx`, `204`, `2xx,301`: classes `1xx`–`5xx` and codes 100–599, comma separated. Throws on anything else. */
export function parseExpectStatus(raw: string): StatusExpectation {
  const classes = new Set<number>();
  const codes = new Set<number>();
  for (const entry of raw.split(',')) {
    const item = entry.trim().toLowerCase();
    const cls = /^([1-5])xx$/.exec(item)?.[1];
    if (cls !== undefined) classes.add(Number(cls));
    else if (/^[1-5][0-9][0-9]$/.test(item)) codes.add(Number(item));
    else throw new Error(`expected a status class like 2xx or a code like 204, got '${entry}'`);
  }
  return {
    text: raw,
    matches: (status) => codes.has(status) || classes.has(Math.floor(status / 100)),
  };
}

/** Time as the scheduler sees it; tests replace it with a simulated clock. */
export interface TrafficClock {
  /** Epoch ms, fractional allowed. */
  now: () => number;
  /** Resolves at `at` (epoch ms), at once if it is past, or as soon as `signal` aborts. */
  sleepUntil: (at: number, signal?: AbortSignal) => Promise<void>;
}

export const realClock: TrafficClock = {
  now: () => performance.timeOrigin + performance.now(),
  sleepUntil: (at, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, at - realClock.now()),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Sends one request; a network outcome is a value. A rejection is counted as a `network` failure. */
export type TrafficSender = () => Promise<HttpGetResult>;

export function httpTrafficSender(url: URL, timeoutMs: number): TrafficSender {
  return () => httpGet(url, { timeoutMs, maxBodyBytes: 4096 });
}

/** What became of one request, as it completes (for live progress and tests). */
export interface TrafficOutcome {
  at: number;
  ok: boolean;
  reason?: TrafficFailureReason;
}

export interface TrafficOptions {
  url: string;
  perSecond: number;
  durationMs: number;
  timeoutMs: number;
  expectStatus: StatusExpectation;
  maxInFlight?: number;
  /** Aborting stops sending (SIGTERM in a pod); requests in flight finish (each within its timeout) and count. */
  signal?: AbortSignal;
  send: TrafficSender;
  clock?: TrafficClock;
  onOutcome?: (outcome: TrafficOutcome) => void;
}

// Latencies go into log buckets 1 % wide (about 1 800 buckets up to 10 minutes) instead of a list, so hours at a
// high rate stay small. A percentile is its bucket's upper edge, capped at the exact maximum.
const BUCKET_BASE_MS = 0.01;
const BUCKET_GROWTH = 1.01;

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private maximum = 0;

  add(ms: number): void {
    const value = Math.max(ms, BUCKET_BASE_MS);
    const index = Math.max(0, Math.ceil(Math.log(value / BUCKET_BASE_MS) / Math.log(BUCKET_GROWTH) - 1e-9));
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.total += 1;
    this.maximum = Math.max(this.maximum, ms);
  }

  /** Nearest-rank percentile, `p` in (0, 1]; null when empty. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) return round2(Math.min(BUCKET_BASE_MS * BUCKET_GROWTH ** index, this.maximum));
    }
    return round2(this.maximum);
  }

  max(): number | null {
    return this.total === 0 ? null : round2(this.maximum);
  }
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * Runs the traffic until `durationMs` has passed or `signal` aborts, then waits for requests in flight and
 * returns the report. Never rejects for a network outcome.
 */
export async function runTraffic(options: TrafficOptions): Promise<TrafficReport> {
  const { perSecond, durationMs, signal, send, expectStatus } = options;
  const clock = options.clock ?? realClock;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const intervalMs = 1000 / perSecond;
  const started = clock.now();
  const latency = new LatencyHistogram();
  const inFlight = new Set<Promise<void>>();
  const failuresByReason: Partial<Record<TrafficFailureReason, number>> = {};
  const failures: TrafficFailure[] = [];
  let attempted = 0;
  let succeeded = 0;
  let failed = 0;
  let lastFailureAt: number | null = null;
  let firstSucceeded: number | null = null;
  let lastSucceeded: number | null = null;

  const fail = (at: number, error: TrafficFailureReason, detail: string, status?: number): void => {
    failed += 1;
    failuresByReason[error] = (failuresByReason[error] ?? 0) + 1;
    lastFailureAt = Math.max(lastFailureAt ?? 0, at);
    if (failures.length < TRAFFIC_FAILURES_KEPT) {
      failures.push(status === undefined ? { at, error, detail } : { at, error, status, detail });
    }
    options.onOutcome?.({ at, ok: false, reason: error });
  };

  const record = (at: number, sentAt: number, result: HttpGetResult): void => {
    if (result.kind === 'failure') {
      fail(at, result.reason, result.detail);
    } else if (!expectStatus.matches(result.status)) {
      const body = result.body.trim().slice(0, 120);
      fail(at, 'status', `HTTP ${result.status}${body === '' ? '' : `: ${body}`}`, result.status);
    } else {
      succeeded += 1;
      firstSucceeded ??= at;
      lastSucceeded = Math.max(lastSucceeded ?? 0, at);
      latency.add(clock.now() - sentAt);
      options.onOutcome?.({ at, ok: true });
    }
  };

  const fire = (): void => {
    const sentAt = clock.now();
    const at = Math.floor(sentAt);
    attempted += 1;
    if (inFlight.size >= maxInFlight) {
      fail(at, 'skipped', `not sent: ${inFlight.size} requests still in flight (max ${maxInFlight})`);
      return;
    }
    const request = (async () => {
      let result: HttpGetResult;
      try {
        result = await send();
      } catch (error) {
        result = {
          kind: 'failure',
          reason: 'network',
          detail: error instanceof Error ? error.message : String(error),
        };
      }
      record(at, sentAt, result);
    })();
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  // Slot k is due at started + k·interval; a late timer catches up (one slot per wake-up) rather than skipping.
  const deadline = started + durationMs;
  for (let k = 0; ; k += 1) {
    const due = started + k * intervalMs;
    if (due >= deadline || signal?.aborted) break;
    await clock.sleepUntil(due, signal);
    if (signal?.aborted) break;
    fire();
  }
  if (!signal?.aborted) await clock.sleepUntil(deadline, signal);
  const stoppedBy = signal?.aborted ? 'signal' : 'duration';
  const ended = Math.floor(clock.now());
  await Promise.all(inFlight);

  return {
    url: options.url,
    started: Math.floor(started),
    ended,
    stoppedBy,
    perSecond,
    timeoutMs: options.timeoutMs,
    expectStatus: expectStatus.text,
    attempted,
    succeeded,
    failed,
    failuresByReason,
    failures,
    lastFailureAt,
    firstSucceeded,
    lastSucceeded,
    latencyMs: { p50: latency.percentile(0.5), p99: latency.percentile(0.99), max: latency.max() },
  };
}
