import { connect, type Socket } from 'node:net';
import type { ConnectionsReport, LongConnection, LongOutcome, NewConnectionFailure } from './verdicts.ts';

export interface ConnectionsOptions {
  host: string;
  port: number;
  /** Long-lived connections to hold. */
  count: number;
  durationMs: number;
  /** A line is written on every long connection each interval (when its previous echo is back). */
  intervalMs: number;
  /**
   * How long an echo may take before the connection counts as dead (`timeout`), and how long a short connection
   * has to connect and echo. Independent of the interval: a backend slow to accept (a full listen backlog makes
   * the proxy retry its SYN after ~1 s) delays echoes by a second or more on healthy connections.
   */
  echoTimeoutMs: number;
  /** Short connections (connect, one echo, close) started per second; 0 disables them. */
  newPerSecond: number;
  /** Each long connection closes itself cleanly this long after it opened; null keeps them open. */
  plannedLifeMs: number | null;
  /** Aborting stops the run early (SIGTERM in a pod); still-alive connections are reported `open`. */
  signal?: AbortSignal;
}

export const DEFAULT_ECHO_TIMEOUT_MS = 3000;

// Opening a thousand connections in one burst overflows small accept backlogs and turns into SYN retries, which
// would show up as slow opens that have nothing to do with the system under test.
const CONNECT_CONCURRENCY = 64;

// Every long connection is driven by one shared tick (sends, echo deadlines, planned closes) instead of timers of
// its own: with a thousand connections, per-connection timers cost more CPU than the echoes themselves.
const MIN_TICK_MS = 10;
const MAX_TICK_MS = 50;

// Reads of every long connection land in one reused buffer (net's `onread`): no allocation per echo. The callback
// consumes the bytes synchronously, so sharing it between sockets is safe.
const READ_BUFFER = Buffer.alloc(4096);
const SEQ_DIGITS = 10;

interface LongState {
  record: LongConnection;
  socket: Socket;
  /** `aus-long-<id>-<seq, 10 digits>\n`, rewritten in place for each send (the previous write is done by then). */
  line: Buffer;
  seq: number;
  /** When the next line is due; 0 until the connection is open. */
  nextSendAt: number;
  /** When the pending line was written; 0 when no echo is pending. */
  sentAt: number;
  /** Bytes of the pending line echoed so far (an echo may arrive in pieces). */
  matched: number;
  /** Epoch ms at which --planned-life closes it; 0 when none. */
  closeAt: number;
  wantClose: boolean;
  connectDeadline: number;
  finished: boolean;
  onOpened: () => void;
}

/**
 * Holds `count` long-lived connections to a line echo server and opens `newPerSecond` short ones, recording when
 * and how each long connection ended. Never rejects for a network outcome: resets, EOFs and timeouts are data.
 */
export async function runConnections(options: ConnectionsOptions): Promise<ConnectionsReport> {
  const { host, port, intervalMs, echoTimeoutMs, signal } = options;
  const started = Date.now();
  const longs: LongState[] = [];
  const live = new Set<LongState>();
  const newStats: ConnectionsReport['new'] = {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    firstSucceeded: null,
    lastSucceeded: null,
    slowestMs: null,
    failures: [],
  };
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const connectTimeout = Math.max(intervalMs, echoTimeoutMs, 3000);

  const finish = (state: LongState, outcome: LongOutcome, error?: string, at = Date.now()): void => {
    if (state.finished) return;
    state.finished = true;
    live.delete(state);
    state.record.outcome = outcome;
    if (outcome !== 'open') state.record.closed = at;
    if (error !== undefined) state.record.error = error;
    state.onOpened();
  };

  const closeCleanly = (state: LongState): void => {
    finish(state, 'closed');
    state.socket.end();
    // The peer's FIN normally follows at once; do not let a silent peer keep the handle alive.
    setTimeout(() => state.socket.destroy(), intervalMs).unref();
  };

  const send = (state: LongState, now: number): void => {
    state.seq += 1;
    let n = state.seq;
    for (let i = state.line.length - 2; i >= state.line.length - 1 - SEQ_DIGITS; i -= 1) {
      state.line[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    state.sentAt = now;
    state.matched = 0;
    state.socket.write(state.line);
  };

  const onEchoBytes = (state: LongState, bytes: Uint8Array, length: number): void => {
    if (state.finished) return;
    for (let i = 0; i < length; i += 1) {
      if (state.sentAt === 0 || bytes[i] !== state.line[state.matched]) {
        const expected = state.sentAt === 0 ? '(nothing)' : `'${lineText(state.line)}'`;
        const got = Buffer.from(bytes.subarray(i, Math.min(length, i + 64))).toString('utf8');
        finish(state, 'error', `echo mismatch: expected ${expected}, got '${got.replace(/\n/g, '\\n')}'`);
        state.socket.destroy();
        return;
      }
      state.matched += 1;
      if (state.matched === state.line.length) {
        const now = Date.now();
        const latency = now - state.sentAt;
        const record = state.record;
        if (latency > (record.worstEchoMs ?? -1)) record.worstEchoMs = latency;
        record.lastEcho = now;
        record.echoes += 1;
        state.sentAt = 0;
        state.matched = 0;
        if (state.wantClose) {
          closeCleanly(state);
          return;
        }
      }
    }
  };

  // One pass over the live connections: connect deadlines, echo deadlines, planned closes, due sends.
  const sweep = (): void => {
    const now = Date.now();
    for (const state of live) {
      if (state.nextSendAt === 0) {
        if (now >= state.connectDeadline) {
          finish(state, 'error', `connect did not complete within ${connectTimeout} ms`);
          state.socket.destroy();
        }
        continue;
      }
      if (state.sentAt !== 0 && now - state.sentAt > echoTimeoutMs) {
        // The connection was last known alive at its last echo; if it never echoed, it was already silent
        // when the unanswered line went out. Noticing later (at this tick) must not extend its life.
        const end = state.record.lastEcho ?? state.sentAt;
        finish(
          state,
          'timeout',
          `no echo of '${lineText(state.line)}' within ${echoTimeoutMs} ms (sent at ${new Date(state.sentAt).toISOString()})`,
          end,
        );
        state.socket.destroy();
        continue;
      }
      if (state.closeAt !== 0 && now >= state.closeAt && !state.wantClose) {
        if (state.sentAt === 0) {
          closeCleanly(state);
          continue;
        }
        state.wantClose = true;
      }
      if (now >= state.nextSendAt) {
        // A late echo skips sends rather than queueing them: one line in flight at a time.
        while (state.nextSendAt <= now) state.nextSendAt += intervalMs;
        if (state.sentAt === 0 && !state.wantClose) send(state, now);
      }
    }
  };
  const tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(intervalMs / 20)));
  const ticker = setInterval(sweep, tickMs);

  const openLong = (id: number): Promise<void> =>
    new Promise((opened) => {
      const record: LongConnection = {
        id,
        opened: null,
        closed: null,
        outcome: 'open',
        lastEcho: null,
        echoes: 0,
        worstEchoMs: null,
      };
      let resolved = false;
      const state = {
        record,
        line: Buffer.from(`aus-long-${id}-${'0'.repeat(SEQ_DIGITS)}\n`),
        seq: 0,
        nextSendAt: 0,
        sentAt: 0,
        matched: 0,
        closeAt: 0,
        wantClose: false,
        connectDeadline: Date.now() + connectTimeout,
        finished: false,
        onOpened: () => {
          if (resolved) return;
          resolved = true;
          opened();
        },
      } as LongState;
      state.socket = connect({
        host,
        port,
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (length) => {
            onEchoBytes(state, READ_BUFFER, length);
            return true;
          },
        },
      });
      longs.push(state);
      live.add(state);
      const socket = state.socket;
      socket.once('connect', () => {
        if (state.finished) return;
        const now = Date.now();
        record.opened = now;
        // Spread the writes of many connections over the interval instead of a burst every tick.
        state.nextSendAt = now + Math.floor((id / Math.max(options.count, 1)) * intervalMs);
        if (options.plannedLifeMs !== null) state.closeAt = now + options.plannedLifeMs;
        state.onOpened();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNRESET') finish(state, 'reset', error.message);
        else finish(state, 'error', `${error.code ?? 'error'}: ${error.message}`);
      });
      socket.on('end', () => finish(state, 'eof', 'peer closed the connection (FIN)'));
      // 'close' without 'end' or 'error' (e.g. destroyed by the kernel) still ends the connection.
      socket.on('close', () => finish(state, 'eof', 'connection closed'));
    });

  const attemptNew = (n: number): Promise<void> => {
    const at = Date.now();
    newStats.attempted += 1;
    return new Promise<void>((done) => {
      const line = `aus-new-${n}`;
      const socket = connect({ host, port, noDelay: true });
      let settled = false;
      let stage: NewConnectionFailure['stage'] = 'connect';
      let buffered = '';
      const settle = (error?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const ended = Date.now();
        if (error === undefined) {
          newStats.succeeded += 1;
          newStats.firstSucceeded ??= at;
          newStats.lastSucceeded = at;
          if (ended - at > (newStats.slowestMs ?? -1)) newStats.slowestMs = ended - at;
          socket.end();
        } else {
          newStats.failed += 1;
          newStats.failures.push({ at, ended, stage, error });
          socket.destroy();
        }
        done();
      };
      const timer = setTimeout(
        () =>
          settle(
            stage === 'connect'
              ? `connect did not complete within ${echoTimeoutMs} ms`
              : `no echo within ${echoTimeoutMs} ms`,
          ),
        echoTimeoutMs,
      );
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        stage = 'echo';
        socket.write(`${line}\n`);
      });
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        const newline = buffered.indexOf('\n');
        if (newline < 0) return;
        const got = buffered.slice(0, newline);
        settle(got === line ? undefined : `echo mismatch: expected '${line}', got '${got}'`);
      });
      socket.on('error', (error: NodeJS.ErrnoException) =>
        settle(`${error.code ?? 'error'}: ${error.message}`),
      );
      socket.on('end', () => settle('peer closed the connection before the echo'));
      socket.on('close', () => settle('connection closed before the echo'));
    });
  };

  // The stop promise resolves on the deadline or the signal, whichever comes first.
  let stoppedBy: 'duration' | 'signal' = 'duration';
  const stopped = new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, options.durationMs);
    const onAbort = (): void => {
      stoppedBy = 'signal';
      clearTimeout(deadline);
      resolve();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });

  let nextNew = 0;
  const newTicker =
    options.newPerSecond > 0
      ? setInterval(() => {
          if (stopping) return;
          const attempt = attemptNew(nextNew++);
          inFlight.add(attempt);
          void attempt.then(() => inFlight.delete(attempt));
        }, 1000 / options.newPerSecond)
      : undefined;

  // Open long connections with bounded concurrency; stop opening as soon as the run stops.
  const opening = (async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!stopping && next < options.count) {
        await openLong(next++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, options.count) }, worker));
  })();

  await stopped;
  stopping = true;
  clearInterval(newTicker);
  clearInterval(ticker);
  const ended = Date.now();
  for (const state of longs) {
    if (state.record.opened === null && !state.finished) {
      finish(state, 'error', 'not connected when the probe stopped');
    } else {
      finish(state, 'open');
    }
    state.socket.destroy();
  }
  await opening;
  // In-flight short connections end within their own timeout (the echo timeout); count them rather than drop them.
  await Promise.all(inFlight);

  return {
    target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    started,
    ended,
    intervalMs,
    echoTimeoutMs,
    plannedLifeMs: options.plannedLifeMs,
    stoppedBy,
    long: longs.map((s) => s.record).sort((a, b) => a.id - b.id),
    new: newStats,
  };
}

function lineText(line: Buffer): string {
  return line.subarray(0, line.length - 1).toString('latin1');
}
