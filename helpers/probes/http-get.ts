import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One GET's outcome. A network outcome is a value, never an exception. */
export type HttpGetResult =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'failure'; reason: 'timeout' | 'refused' | 'reset' | 'network'; detail: string };

export interface HttpGetOptions {
  /** Whole exchange: connect, response head and body. */
  timeoutMs: number;
  /** The body is cut here; a backend name sits near the start of any useful answer. */
  maxBodyBytes?: number;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * GET on a new TCP connection (`agent: false` and `Connection: close`): a mesh routes and authorises per
 * connection, so reusing one would measure the first routing decision over and over.
 */
export function httpGet(
  url: URL,
  { timeoutMs, maxBodyBytes = 1 << 20 }: HttpGetOptions,
): Promise<HttpGetResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HttpGetResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBodyBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8');
        finish({ kind: 'response', status: res.statusCode ?? 0, body });
      });
      res.on('error', (error) => finish(failure(error)));
    });
    const timer = setTimeout(() => {
      finish({ kind: 'failure', reason: 'timeout', detail: `no complete response within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => finish(failure(error)));
    req.end();
  });
}

function failure(error: unknown): HttpGetResult {
  const code = errorCode(error);
  const detail = `${code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`;
  if (code === 'ECONNREFUSED') return { kind: 'failure', reason: 'refused', detail };
  // Node reports both an RST and an EOF before a full response as ECONNRESET ("socket hang up" for the EOF).
  if (code === 'ECONNRESET' || code === 'EPIPE') return { kind: 'failure', reason: 'reset', detail };
  return { kind: 'failure', reason: 'network', detail };
}
