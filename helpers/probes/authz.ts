import { type ClientRequest, request } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { AuthzErrorReason, AuthzVerdict } from './verdicts.ts';

/** What the waypoint's RBAC filter writes in its 403 body (Envoy `RBAC: access denied`). */
export const RBAC_DENIED_BODY = 'RBAC: access denied';
/** Enough to see the RBAC marker or an error page; more is not evidence. */
const BODY_LIMIT = 4096;

export interface AuthzRequest {
  url: URL;
  method: string;
  timeoutMs: number;
  /** Tests inject a resolver so a DNS failure can be produced without asking a real resolver. */
  lookup?: LookupFunction;
}

/** Classifies a complete HTTP response. Only the waypoint's exact RBAC 403 is a deny. */
export function classifyResponse(status: number, body: string, elapsedMs: number): AuthzVerdict {
  const snippet = oneLine(body, 120);
  if (status >= 200 && status < 400) {
    return { verdict: 'allow', status, evidence: `HTTP ${status} from the application`, elapsedMs };
  }
  if (status === 403 && body.includes(RBAC_DENIED_BODY)) {
    return {
      verdict: 'deny',
      by: 'http-403-rbac',
      status,
      evidence: `HTTP 403 with body '${snippet}' (waypoint RBAC)`,
      elapsedMs,
    };
  }
  const why =
    status === 403
      ? `a 403 without '${RBAC_DENIED_BODY}' is not the waypoint's policy deny`
      : status === 503
        ? 'a 503 means no healthy upstream or a broken proxy, not a policy deny'
        : 'neither an application answer nor a policy deny';
  return {
    verdict: 'error',
    reason: 'http-status',
    status,
    evidence: `HTTP ${status} with body '${snippet}': ${why}`,
    elapsedMs,
  };
}

/**
 * Classifies a socket failure before any response. A reset, or a close with no response byte at all, is how a
 * ztunnel L4 policy rejects a connection (curl exit 56); everything else is an error.
 */
export function classifyFailure(error: unknown, bytesRead: number, elapsedMs: number): AuthzVerdict {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  // Node reports both a RST (`read ECONNRESET`, syscall set) and an EOF (`socket hang up`) with ECONNRESET.
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    if (bytesRead > 0) {
      return errorVerdict(
        'protocol',
        `peer closed after ${bytesRead} bytes that were not a complete HTTP response (${message})`,
        elapsedMs,
      );
    }
    const isHangUp = message.includes('socket hang up');
    return {
      verdict: 'deny',
      by: 'reset',
      evidence: isHangUp
        ? 'connection closed by peer (EOF) before any response byte (socket hang up)'
        : `connection reset by peer (RST) before any response (${code}: ${message})`,
      elapsedMs,
    };
  }
  const reason = failureReason(code, error);
  return errorVerdict(reason, `${code ?? 'error'}: ${message}`, elapsedMs);
}

/**
 * One request on a new connection (no keep-alive agent), classified. Never rejects: every network outcome is a
 * verdict.
 */
export function requestAuthz({ url, method, timeoutMs, lookup }: AuthzRequest): Promise<AuthzVerdict> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (verdict: AuthzVerdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(verdict);
    };
    let stage = 'connecting';
    // One deadline for connect, response and the body we read: a hang anywhere is a timeout, never a deny.
    const timer = setTimeout(() => {
      finish(errorVerdict('timeout', `no verdict within ${timeoutMs} ms (${stage})`, elapsed()));
    }, timeoutMs);
    try {
      req = request(url, {
        method,
        agent: false,
        headers: { connection: 'close', 'user-agent': 'ambient-upgrade-probe' },
        ...(lookup === undefined ? {} : { lookup }),
      });
    } catch (error) {
      // A URL node:http refuses (e.g. an invalid header) is still an outcome, not a crash.
      finish(classifyFailure(error, 0, elapsed()));
      return;
    }
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        stage = 'connected, waiting for a response';
      });
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      stage = `got HTTP ${status}, reading the body`;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
        if (size >= BODY_LIMIT) finish(classifyResponse(status, bodyText(chunks), elapsed()));
      });
      res.on('end', () => finish(classifyResponse(status, bodyText(chunks), elapsed())));
      res.on('error', (error) => {
        // The status line arrived, so this was not an L4 deny; judge on what we have.
        const verdict = classifyResponse(status, bodyText(chunks), elapsed());
        finish(
          verdict.verdict === 'error'
            ? { ...verdict, evidence: `${verdict.evidence}; body cut short: ${error.message}` }
            : verdict,
        );
      });
    });
    req.on('error', (error) => finish(classifyFailure(error, req?.socket?.bytesRead ?? 0, elapsed())));
    req.end();
  });
}

function bodyText(chunks: Buffer[]): string {
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8');
}

function errorVerdict(reason: AuthzErrorReason, evidence: string, elapsedMs: number): AuthzVerdict {
  return { verdict: 'error', reason, evidence, elapsedMs };
}

function failureReason(code: string | undefined, error: unknown): AuthzErrorReason {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    default:
      return code?.startsWith('HPE_') || (error instanceof Error && error.message.includes('Parse Error'))
        ? 'protocol'
        : 'network';
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
