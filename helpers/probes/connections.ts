import { connect, type Socket } from 'node:net';
import type { ConnectionsReport, LongConnection, LongOutcome } from './verdicts.ts';

export interface ConnectionsOptions {
  host: string;
  port: number;
  /** Long-lived connections to hold. */
  count: number;
  durationMs: number;
  /** A line is written on every long connection each interval; its echo must be back before the next one. */
  intervalMs: number;
  /** Short connections (connect, one echo, close) started per second; 0 disables them. */
  newPerSecond: number;
  /** Each long connection closes itself cleanly this long after it opened; null keeps them open. */
  plannedLifeMs: number | null;
  /** Aborting stops the run early (SIGTERM in a pod); still-alive connections are reported `open`. */
  signal?: AbortSignal;
}

// Opening a thousand connections in one burst overflows small accept backlogs and turns into SYN retries, which
// would show up as slow opens that have nothing to do with the system under test.
const CONNECT_CONCURRENCY = 64;

interface LongState {
  record: LongConnection;
  socket: Socket;
  ticker: NodeJS.Timeout | undefined;
  timers: NodeJS.Timeout[];
  finished: boolean;
}

/**
 * Holds `count` long-lived connections to a line echo server and opens `newPerSecond` short ones, recording when
 * and how each long connection ended. Never rejects for a network outcome: resets, EOFs and timeouts are data.
 */
export async function runConnections(options: ConnectionsOptions): Promise<ConnectionsReport> {
  const { host, port, intervalMs, signal } = options;
  const started = Date.now();
  const longs: LongState[] = [];
  const newStats = {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    firstSucceeded: null as number | null,
    lastSucceeded: null as number | null,
    failures: [] as { at: number; error: string }[],
  };
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  const finish = (state: LongState, outcome: LongOutcome, error?: string): void => {
    if (state.finished) return;
    state.finished = true;
    clearInterval(state.ticker);
    for (const timer of state.timers) clearTimeout(timer);
    state.record.outcome = outcome;
    if (outcome !== 'open') state.record.closed = Date.now();
    if (error !== undefined) state.record.error = error;
  };

  const openLong = (id: number): Promise<void> =>
    new Promise((opened) => {
      const record: LongConnection = {
        id,
        opened: null,
        closed: null,
        outcome: 'open',
        lastEcho: null,
        echoes: 0,
      };
      const socket = connect({ host, port, noDelay: true });
      const state: LongState = { record, socket, ticker: undefined, timers: [], finished: false };
      longs.push(state);
      let pending: string | null = null;
      let wantClose = false;
      let seq = 0;
      let buffered = '';
      const connectTimer = setTimeout(() => {
        finish(state, 'error', `connect did not complete within ${connectTimeoutMs(intervalMs)} ms`);
        socket.destroy();
        opened();
      }, connectTimeoutMs(intervalMs));
      state.timers.push(connectTimer);

      const closeCleanly = (): void => {
        finish(state, 'closed');
        socket.end();
        // The peer's FIN normally follows at once; do not let a silent peer keep the handle alive.
        setTimeout(() => socket.destroy(), intervalMs).unref();
      };
      const tick = (): void => {
        if (state.finished) return;
        if (pending !== null) {
          finish(state, 'timeout', `no echo of '${pending}' within ${intervalMs} ms`);
          socket.destroy();
          return;
        }
        seq += 1;
        pending = `aus-long-${id}-${seq}`;
        socket.write(`${pending}\n`);
      };

      socket.once('connect', () => {
        clearTimeout(connectTimer);
        record.opened = Date.now();
        opened();
        if (state.finished) return;
        // Spread the writes of many connections over the interval instead of a burst every tick.
        const offset = Math.floor((id / Math.max(options.count, 1)) * intervalMs);
        state.timers.push(
          setTimeout(() => {
            if (state.finished) return;
            tick();
            state.ticker = setInterval(tick, intervalMs);
          }, offset),
        );
        if (options.plannedLifeMs !== null) {
          state.timers.push(
            setTimeout(() => {
              if (state.finished) return;
              if (pending === null) closeCleanly();
              else wantClose = true;
            }, options.plannedLifeMs),
          );
        }
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        if (state.finished) return;
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line !== pending) {
            finish(state, 'error', `echo mismatch: expected '${pending ?? '(nothing)'}', got '${line}'`);
            socket.destroy();
            return;
          }
          pending = null;
          record.lastEcho = Date.now();
          record.echoes += 1;
          if (wantClose) {
            closeCleanly();
            return;
          }
          newline = buffered.indexOf('\n');
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        if (error.code === 'ECONNRESET') finish(state, 'reset', error.message);
        else finish(state, 'error', `${error.code ?? 'error'}: ${error.message}`);
        opened();
      });
      socket.on('end', () => finish(state, 'eof', 'peer closed the connection (FIN)'));
      socket.on('close', () => {
        clearTimeout(connectTimer);
        // 'close' without 'end' or 'error' (e.g. destroyed by the kernel) still ends the connection.
        finish(state, 'eof', 'connection closed');
        opened();
      });
    });

  const attemptNew = (n: number): Promise<void> => {
    const at = Date.now();
    newStats.attempted += 1;
    return new Promise<void>((done) => {
      const line = `aus-new-${n}`;
      const socket = connect({ host, port, noDelay: true });
      let settled = false;
      let buffered = '';
      const settle = (error?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined) {
          newStats.succeeded += 1;
          newStats.firstSucceeded ??= at;
          newStats.lastSucceeded = at;
          socket.end();
        } else {
          newStats.failed += 1;
          newStats.failures.push({ at, error });
          socket.destroy();
        }
        done();
      };
      const timer = setTimeout(() => settle(`no echo within ${intervalMs} ms`), intervalMs);
      socket.setEncoding('utf8');
      socket.once('connect', () => socket.write(`${line}\n`));
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
  // In-flight short connections end within their own timeout (one interval); count them rather than drop them.
  await Promise.all(inFlight);

  return {
    target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    started,
    ended,
    intervalMs,
    plannedLifeMs: options.plannedLifeMs,
    stoppedBy,
    long: longs.map((s) => s.record).sort((a, b) => a.id - b.id),
    new: newStats,
  };
}

function connectTimeoutMs(intervalMs: number): number {
  return Math.max(intervalMs, 3000);
}
