import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpGetResult } from '../../../helpers/probes/http-get.ts';
import {
  LatencyHistogram,
  parseExpectStatus,
  runTraffic,
  TRAFFIC_FAILURES_KEPT,
  type TrafficClock,
  type TrafficOptions,
  TrafficReport,
} from '../../../helpers/probes/traffic.ts';
import { parseTrafficArgs, TRAFFIC_HELP, trafficMain } from '../../../helpers/probes/traffic-cli.ts';
import { captureIo } from './tcp-fixtures.ts';

const T0 = 1_700_000_000_000;

/**
 * A discrete-event clock: `sleepUntil` queues a waiter; `drive` settles all microtasks, then wakes the earliest
 * waiter at its time, until the promise under test settles. No real time passes between events.
 */
class SimClock implements TrafficClock {
  private t = T0;
  private seq = 0;
  private waiters: { at: number; seq: number; wake: () => void }[] = [];

  now = (): number => this.t;

  sleepUntil = (at: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const waiter = { at: Math.max(at, this.t), seq: this.seq++, wake };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Calls `action` at virtual time `at`. */
  at(at: number, action: () => void): void {
    void this.sleepUntil(at).then(action);
  }

  async drive<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    void promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // Real I/O (the CLI's file write) completes off the event queue: allow it a bounded number of idle turns.
    for (let idle = 0; idle < 2000; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return promise;
      this.waiters.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.waiters.shift();
      if (next === undefined) {
        idle += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      this.t = next.at;
      next.wake();
    }
    throw new Error('SimClock: nothing left to wake and the run has not finished');
  }
}

const ok: HttpGetResult = { kind: 'response', status: 200, body: 'ok' };

/** A sender that answers `result(n)` after `latency(n)` virtual ms and records when each request was sent. */
function simSender(
  clock: SimClock,
  latency: (n: number) => number,
  result: (n: number) => HttpGetResult = () => ok,
): { send: () => Promise<HttpGetResult>; sentAt: number[]; maxInFlight: () => number } {
  const sentAt: number[] = [];
  let inFlight = 0;
  let max = 0;
  return {
    sentAt,
    maxInFlight: () => max,
    send: async () => {
      const n = sentAt.length;
      sentAt.push(clock.now());
      inFlight += 1;
      max = Math.max(max, inFlight);
      await clock.sleepUntil(clock.now() + latency(n));
      inFlight -= 1;
      return result(n);
    },
  };
}

function options(clock: SimClock, send: TrafficOptions['send'], extra: Partial<TrafficOptions> = {}) {
  return {
    url: 'http://app.test/',
    perSecond: 10,
    durationMs: 3000,
    timeoutMs: 1000,
    expectStatus: parseExpectStatus('2xx'),
    send,
    clock,
    ...extra,
  } satisfies TrafficOptions;
}

describe('runTraffic scheduling (simulated clock)', () => {
  it('starts request k at started + k/R and stops at the duration', async () => {
    const clock = new SimClock();
    const sender = simSender(clock, () => 5);
    const report = await clock.drive(runTraffic(options(clock, sender.send)));
    expect(sender.sentAt).toEqual(Array.from({ length: 30 }, (_, k) => T0 + k * 100));
    expect(report).toMatchObject({
      started: T0,
      ended: T0 + 3000,
      stoppedBy: 'duration',
      attempted: 30,
      succeeded: 30,
      failed: 0,
      failures: [],
      firstSucceeded: T0,
      lastSucceeded: T0 + 2900,
      latencyMs: { max: 5 },
    });
    expect(TrafficReport.parse(report)).toEqual(report);
  });

  it('keeps the schedule when responses are slower than the interval (requests overlap)', async () => {
    const clock = new SimClock();
    const sender = simSender(clock, (n) => (n === 3 ? 2500 : 450));
    const report = await clock.drive(runTraffic(options(clock, sender.send, { timeoutMs: 5000 })));
    expect(sender.sentAt).toEqual(Array.from({ length: 30 }, (_, k) => T0 + k * 100));
    // 450 ms at 10/s → 5 at once, plus the slow one.
    expect(sender.maxInFlight()).toBe(6);
    expect(report).toMatchObject({ attempted: 30, succeeded: 30, failed: 0 });
    // The run waited for the slow request (sent at +300, done at +2800) and the last ones (done at +3350).
    expect(report.latencyMs.max).toBe(2500);
    expect(report.ended).toBe(T0 + 3000);
  });

  it('counts slots that find --max-in-flight requests outstanding as skipped failures, on schedule', async () => {
    const clock = new SimClock();
    const sender = simSender(clock, () => 1000);
    const report = await clock.drive(runTraffic(options(clock, sender.send, { maxInFlight: 3 })));
    expect(sender.maxInFlight()).toBe(3);
    expect(report.attempted).toBe(30);
    expect(report.succeeded + report.failed).toBe(30);
    expect(report.failuresByReason.skipped).toBe(report.failed);
    expect(report.failed).toBeGreaterThan(0);
    // Sent requests stay on the 100 ms grid, skipped ones too.
    for (const t of [...sender.sentAt, ...report.failures.map((f) => f.at)]) expect((t - T0) % 100).toBe(0);
    expect(report.failures[0]?.detail).toMatch(/3 requests still in flight/);
  });

  it('stops sending on abort, reports stoppedBy signal and still counts requests in flight', async () => {
    const clock = new SimClock();
    const controller = new AbortController();
    const sender = simSender(clock, () => 300);
    clock.at(T0 + 1250, () => controller.abort());
    const report = await clock.drive(
      runTraffic(options(clock, sender.send, { durationMs: 60_000, signal: controller.signal })),
    );
    expect(sender.sentAt).toHaveLength(13); // +0 … +1200
    expect(report).toMatchObject({ stoppedBy: 'signal', ended: T0 + 1250, attempted: 13, succeeded: 13 });
  });

  it('records failures with reason, status and start time; caps the list but keeps exact counts', async () => {
    const clock = new SimClock();
    const results: HttpGetResult[] = [
      { kind: 'response', status: 503, body: 'no healthy upstream' },
      { kind: 'failure', reason: 'refused', detail: 'ECONNREFUSED: connect ECONNREFUSED' },
      { kind: 'failure', reason: 'reset', detail: 'ECONNRESET: socket hang up' },
      { kind: 'failure', reason: 'timeout', detail: 'no complete response within 1000 ms' },
      ok,
    ];
    const sender = simSender(
      clock,
      () => 2,
      (n) => results[n % results.length] ?? ok,
    );
    const report = await clock.drive(runTraffic(options(clock, sender.send, { perSecond: 100 })));
    expect(report.attempted).toBe(300);
    expect(report.succeeded).toBe(60);
    expect(report.failed).toBe(240);
    expect(report.failures).toHaveLength(TRAFFIC_FAILURES_KEPT);
    expect(report.failuresByReason).toEqual({ status: 60, refused: 60, reset: 60, timeout: 60 });
    expect(report.failures.slice(0, 4)).toEqual([
      { at: T0, error: 'status', status: 503, detail: 'HTTP 503: no healthy upstream' },
      { at: T0 + 10, error: 'refused', detail: 'ECONNREFUSED: connect ECONNREFUSED' },
      { at: T0 + 20, error: 'reset', detail: 'ECONNRESET: socket hang up' },
      { at: T0 + 30, error: 'timeout', detail: 'no complete response within 1000 ms' },
    ]);
    expect(report.lastFailureAt).toBe(T0 + 2980);
    expect(TrafficReport.parse(report)).toEqual(report);
  });

  it('counts a sender that throws as a network failure', async () => {
    const clock = new SimClock();
    const report = await clock.drive(
      runTraffic(options(clock, () => Promise.reject(new Error('boom')), { perSecond: 1, durationMs: 1000 })),
    );
    expect(report.failures).toEqual([{ at: T0, error: 'network', detail: 'boom' }]);
    expect(report.latencyMs).toEqual({ p50: null, p99: null, max: null });
  });
});

describe('LatencyHistogram', () => {
  it('gives nearest-rank percentiles within 1 % and the exact max', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms += 1) h.add(ms);
    const p50 = h.percentile(0.5) ?? Number.NaN;
    const p99 = h.percentile(0.99) ?? Number.NaN;
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50.5);
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99.99);
    expect(h.max()).toBe(100);
    expect(new LatencyHistogram().percentile(0.5)).toBeNull();
  });

  it('never reports a percentile above the max, sub-millisecond values included', () => {
    const h = new LatencyHistogram();
    h.add(0.3);
    h.add(0);
    expect(h.percentile(0.99)).toBe(0.3);
    expect(h.percentile(0.5)).toBeLessThanOrEqual(0.3);
  });
});

describe('parseExpectStatus', () => {
  it('accepts classes and codes', () => {
    const e = parseExpectStatus('2xx,301');
    expect([200, 204, 299, 301, 302, 404, 503].map(e.matches)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
  it.each(['', '2XX0', '600', '6xx', '20', 'ok'])('rejects %j', (raw) => {
    expect(() => parseExpectStatus(raw)).toThrow(/expected a status class/);
  });
});

describe('parseTrafficArgs', () => {
  const base = [
    '--url',
    'http://127.0.0.1:9080/',
    '--per-second',
    '20',
    '--duration',
    '2.5',
    '--out',
    '/tmp/t.json',
  ];

  it('reads every option, seconds turned into ms', () => {
    const args = parseTrafficArgs([
      ...base,
      '--timeout',
      '750',
      '--expect-status',
      '200,3xx',
      '--max-in-flight',
      '8',
    ]);
    if (args === 'help') throw new Error('unexpected help');
    expect({ ...args, url: args.url.href, expectStatus: args.expectStatus.text }).toEqual({
      url: 'http://127.0.0.1:9080/',
      perSecond: 20,
      durationMs: 2500,
      out: '/tmp/t.json',
      timeoutMs: 750,
      expectStatus: '200,3xx',
      maxInFlight: 8,
    });
  });

  it('has defaults for the optional ones', () => {
    const args = parseTrafficArgs(base);
    if (args === 'help') throw new Error('unexpected help');
    expect([args.timeoutMs, args.expectStatus.text, args.maxInFlight]).toEqual([5000, '2xx', 256]);
  });

  it.each([
    [['--per-second', '20', '--duration', '1', '--out', 'f'], /--url is required/],
    [['--url', 'http://a/', '--duration', '1', '--out', 'f'], /--per-second is required/],
    [['--url', 'http://a/', '--per-second', '20', '--out', 'f'], /--duration is required/],
    [['--url', 'http://a/', '--per-second', '20', '--duration', '1'], /--out is required/],
    [[...base.slice(2), '--url', 'ftp://a/'], /--url must be http/],
    [[...base.slice(2), '--url', 'not a url'], /--url is not a URL/],
    [[...base, '--per-second', '0'], /--per-second must be a number/],
    [[...base, '--per-second', '-5'], /per-second/],
    [[...base, '--duration', 'abc'], /--duration must be a number/],
    [[...base, '--timeout', '1.5'], /--timeout must be an integer/],
    [[...base, '--expect-status', '2yy'], /--expect-status: expected a status class/],
    [[...base, '--max-in-flight', '0'], /--max-in-flight must be an integer/],
    [[...base, '--rate', '5'], /Unknown option '--rate'/],
    [[...base, 'extra'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseTrafficArgs(argv)).toThrow(message);
  });
});

describe('trafficMain', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aus-traffic-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one line on stderr and returns 2 for bad arguments', async () => {
    const io = captureIo();
    expect(await trafficMain(['--url', 'http://a/'], io)).toBe(2);
    expect(io.err).toEqual(['probe traffic: --per-second is required (see probe traffic --help)\n']);
    expect(io.out).toEqual([]);
  });

  it('prints help and returns 0', async () => {
    const io = captureIo();
    expect(await trafficMain(['--help'], io)).toBe(0);
    expect(io.out.join('')).toBe(TRAFFIC_HELP);
  });

  it('writes a report that parses, and a one-line summary; 0 even when requests failed', async () => {
    const clock = new SimClock();
    const sender = simSender(
      clock,
      () => 3,
      (n) => (n < 5 ? { kind: 'response', status: 500, body: '' } : ok),
    );
    const out = join(dir, 'report.json');
    const io = captureIo();
    const argv = ['--url', 'http://a.test/x', '--per-second', '20', '--duration', '1', '--out', out];
    const code = await clock.drive(trafficMain(argv, io, { send: sender.send, clock }));
    expect(code).toBe(0);
    const report = TrafficReport.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report).toMatchObject({ url: 'http://a.test/x', attempted: 20, succeeded: 15, failed: 5 });
    expect(report.failures.map((f) => f.status)).toEqual([500, 500, 500, 500, 500]);
    expect(io.out).toHaveLength(1);
    expect(JSON.parse(io.out[0] ?? '')).toMatchObject({ out, attempted: 20, failed: 5 });
  });

  it('stops on its stop signal and still writes the file', async () => {
    const clock = new SimClock();
    const controller = new AbortController();
    clock.at(T0 + 500, () => controller.abort());
    const out = join(dir, 'stopped.json');
    const argv = ['--url', 'http://a.test/', '--per-second', '10', '--duration', '60', '--out', out];
    const sender = simSender(clock, () => 1);
    const code = await clock.drive(
      trafficMain(argv, captureIo(), { send: sender.send, clock, signal: controller.signal }),
    );
    expect(code).toBe(0);
    const report = TrafficReport.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report).toMatchObject({ stoppedBy: 'signal', attempted: 5, ended: T0 + 500 });
  });

  it('returns 1 when the file cannot be written', async () => {
    const clock = new SimClock();
    const io = captureIo();
    const out = join(dir, 'missing-dir', 'r.json');
    const argv = ['--url', 'http://a.test/', '--per-second', '10', '--duration', '0.1', '--out', out];
    const code = await clock.drive(trafficMain(argv, io, { send: simSender(clock, () => 1).send, clock }));
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/^probe traffic: cannot write .*missing-dir/);
  });
});

describe('TrafficReport schema', () => {
  const valid = {
    url: 'http://a/',
    started: T0,
    ended: T0 + 1000,
    stoppedBy: 'duration',
    perSecond: 1,
    timeoutMs: 1000,
    expectStatus: '2xx',
    attempted: 1,
    succeeded: 0,
    failed: 1,
    failuresByReason: { refused: 1 },
    failures: [{ at: T0, error: 'refused', detail: 'ECONNREFUSED' }],
    lastFailureAt: T0,
    firstSucceeded: null,
    lastSucceeded: null,
    latencyMs: { p50: null, p99: null, max: null },
  };

  it('accepts a valid report', () => {
    expect(TrafficReport.parse(valid)).toEqual(valid);
  });

  it.each([
    ['a missing count', { failed: undefined }],
    ['a negative count', { attempted: -1 }],
    ['an unknown failure reason', { failures: [{ at: T0, error: 'weird', detail: '' }] }],
    ['an unknown reason key', { failuresByReason: { weird: 1 } }],
    ['a fractional time', { started: T0 + 0.5 }],
    ['a bad stoppedBy', { stoppedBy: 'crash' }],
    ['a missing latency', { latencyMs: { p50: 1, p99: 2 } }],
  ])('rejects %s', (_what, patch) => {
    expect(TrafficReport.safeParse({ ...valid, ...patch }).success).toBe(false);
  });
});
