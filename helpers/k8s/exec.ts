import { Readable, Writable } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import { describeApiError } from './api-error.ts';
import type { Kube } from './client.ts';
import { type Clock, systemClock } from './clock.ts';
import { redact } from './redact.ts';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
  /** Sent to the command's stdin, then closed (closing needs the v5 channel protocol, Kubernetes ≥ 1.30). */
  stdin?: string | Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The exit code in the v1 `Status` sent on the exec status channel: `Success` → 0, `NonZeroExitCode` with an
 * `ExitCode` cause → that code. Anything else (container not found, exec failed to start) is an error.
 */
export function exitCodeOf(status: V1Status | Record<string, unknown>): number {
  const s = status as V1Status;
  if (s.status === 'Success') return 0;
  if (s.reason === 'NonZeroExitCode') {
    const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (cause && Number.isInteger(code)) return code;
  }
  throw new Error(`exec failed: ${s.message ?? s.reason ?? JSON.stringify(status)}`);
}

function collector(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
}

/** Runs a command in a container (no TTY) and returns its output and exit code. */
export async function execInPod(kube: Kube, request: ExecRequest): Promise<ExecResult> {
  const { namespace, pod, container, timeoutMs, signal, clock = systemClock } = request;
  const what = `exec in ${namespace}/${pod}[${container}]: ${request.command.join(' ')}`;
  signal?.throwIfAborted();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let resolveStatus: (status: V1Status) => void = () => undefined;
  const statusReceived = new Promise<V1Status>((resolve) => {
    resolveStatus = resolve;
  });
  const stdin = request.stdin === undefined ? null : Readable.from([Buffer.from(request.stdin)]);
  let socket: Awaited<ReturnType<Exec['exec']>>;
  try {
    socket = await new Exec(kube.config).exec(
      namespace,
      pod,
      container,
      [...request.command],
      collector(out),
      collector(err),
      stdin,
      false,
      resolveStatus,
    );
  } catch (error) {
    throw new Error(`${what}: cannot connect: ${describeApiError(error)}`, { cause: error });
  }
  const stopTimer = new AbortController();
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
  const timedOut = clock.sleep(timeoutMs, stopTimer.signal).then(
    () => 'timeout' as const,
    () => new Promise<never>(() => undefined),
  );
  const aborted = new Promise<'aborted'>((resolve) => {
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const outcome = await Promise.race([statusReceived, closed, timedOut, aborted]);
    const text = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    if (outcome === 'timeout') {
      throw new Error(redact(`${what}: no exit status after ${timeoutMs} ms; stderr so far: ${text.stderr}`));
    }
    if (outcome === 'aborted') throw signal?.reason ?? new Error(`${what}: aborted`);
    if (outcome === 'closed') {
      throw new Error(redact(`${what}: the stream closed without an exit status; stderr: ${text.stderr}`));
    }
    try {
      return { ...text, exitCode: exitCodeOf(outcome) };
    } catch (error) {
      throw new Error(redact(`${what}: ${(error as Error).message}`), { cause: error });
    }
  } finally {
    stopTimer.abort();
    socket.close();
  }
}
