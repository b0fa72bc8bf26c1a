import { type ClientRequest, request } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { AuthzErrorReason, AuthzVerdict } from './verdicts.ts';

/** What the waypoint's RBAC filter writes in its 403 body (Envoy `RBAC: access denied`). */
export const RBAC_DENIED_BODY = 'RBAC: access denied';
/** Enough to see the RBAC marker or an error page; more is not evidence. */
const BODY_LIMIT = 4096;

/**
 * Which component is expected to enforce the policy under test, and so which outcome counts as its deny.
 * `waypoint`: an L7 policy on a Service (the waypoint answers 403 + `RBAC: access denied`). `ztunnel`: an L4 policy
 * enforced by the destination's ztunnel, which resets the connection before any byte (curl exit 56).
 */
export type DenyMechanism = 'waypoint' | 'ztunnel';
export const DENY_MECHANISMS: readonly DenyMechanism[] = ['waypoint', 'ztunnel'];

export interface AuthzRequest {
  url: URL;
  method: string;
  timeoutMs: number;
  /** Default `waypoint`. */
  denyBy?: DenyMechanism;
  /** Tests inject a resolver so a DNS failure can be produced without asking a real resolver. */
  lookup?: LookupFunction;
}

/**
 * Classifies a complete HTTP response. 2xx/3xx is the application allowing. With `waypoint`, only the exact RBAC
 * 403 is a deny; with `ztunnel`, no HTTP answer is a deny (an L4 deny never gets as far as HTTP): a 403, even the
 * waypoint's, means the policy was enforced by something other than the one under test.
 */
export function classifyResponse(
  status: number,
  body: string,
  elapsedMs: number,
  denyBy: DenyMechanism = 'waypoint',
): AuthzVerdict {
  const snippet = oneLine(body, 120);
  if (status >= 200 && status < 400) {
    return { verdict: 'allow', status, evidence: `HTTP ${status} from the application`, elapsedMs };
  }
  const rbac = status === 403 && body.includes(RBAC_DENIED_BODY);
  if (rbac && denyBy === 'waypoint') {
    return {
      verdict: 'deny',
      by: 'http-403-rbac',
      status,
      evidence: `HTTP 403 with body '${snippet}' (waypoint RBAC)`,
      elapsedMs,
    };
  }
  const why = rbac
    ? 'an HTTP 403 from a waypoint is not the ztunnel L4 deny expected here (a reset before any byte)'
    : status === 403
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
 * How the peer ended a connection that failed before a complete response: `rst` (ECONNRESET from a read or write
 * syscall), `eof` (a FIN: Node's `socket hang up`), or `other` (refused, DNS, timeout, parse error …).
 */
export function peerEnd(error: unknown, sawEof: boolean): 'rst' | 'eof' | 'other' {
  const code = errorCode(error);
  if (code !== 'ECONNRESET' && code !== 'EPIPE') return 'other';
  const message = error instanceof Error ? error.message : String(error);
  // A FIN makes node:http report ECONNRESET 'socket hang up' without a syscall; a real RST names its syscall.
  if (sawEof || message.includes('socket hang up')) return 'eof';
  return 'rst';
}

/**
 * Classifies a socket failure before any complete response. With `ztunnel`, only a reset (RST) before any response
 * byte is a deny (curl exit 56). With `waypoint`, a reset or a clean close (EOF) before any byte is an error: it
 * means ztunnel could not use the waypoint (or nothing answered), never that the waypoint's policy denied.
 * `sawEof`: the socket saw the peer's FIN before the error (tells a close from a reset without reading messages).
 */
export function classifyFailure(
  error: unknown,
  bytesRead: number,
  elapsedMs: number,
  denyBy: DenyMechanism = 'waypoint',
  sawEof = false,
): AuthzVerdict {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const end = peerEnd(error, sawEof);
  if (end !== 'other') {
    if (bytesRead > 0) {
      return errorVerdict(
        'protocol',
        `peer closed after ${bytesRead} bytes that were not a complete HTTP response (${message})`,
        elapsedMs,
      );
    }
    if (end === 'rst') {
      const what = `connection reset by peer (RST) before any response byte (${code}: ${message})`;
      if (denyBy === 'ztunnel') return { verdict: 'deny', by: 'reset', evidence: what, elapsedMs };
      return errorVerdict(
        'reset',
        `${what}: not the waypoint's deny (a 403 'RBAC: access denied'); ztunnel could not use the waypoint, or an L4 policy rejected the connection`,
        elapsedMs,
      );
    }
    const what = 'connection closed by peer (EOF) before any response byte (socket hang up)';
    return errorVerdict(
      'eof',
      denyBy === 'ztunnel'
        ? `${what}: a ztunnel L4 deny is a reset (RST), not a clean close`
        : `${what}: not the waypoint's deny (a 403 'RBAC: access denied'); nothing answered HTTP`,
      elapsedMs,
    );
  }
  const reason = failureReason(code, error);
  return errorVerdict(reason, `${code ?? 'error'}: ${message}`, elapsedMs);
}

/**
 * One request on a new connection (no keep-alive agent), classified. Never rejects: every network outcome is a
 * verdict.
 */
export function requestAuthz({
  url,
  method,
  timeoutMs,
  denyBy = 'waypoint',
  lookup,
}: AuthzRequest): Promise<AuthzVerdict> {
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
      finish(classifyFailure(error, 0, elapsed(), denyBy));
      return;
    }
    let sawEof = false;
    req.on('socket', (socket) => {
      // Prepended so it runs before node:http turns the FIN into its 'socket hang up' error.
      socket.prependListener('end', () => {
        sawEof = true;
      });
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
        if (size >= BODY_LIMIT) finish(classifyResponse(status, bodyText(chunks), elapsed(), denyBy));
      });
      res.on('end', () => finish(classifyResponse(status, bodyText(chunks), elapsed(), denyBy)));
      res.on('error', (error) => {
        // The status line arrived, so this was not an L4 deny; judge on what we have.
        const verdict = classifyResponse(status, bodyText(chunks), elapsed(), denyBy);
        finish(
          verdict.verdict === 'error'
            ? { ...verdict, evidence: `${verdict.evidence}; body cut short: ${error.message}` }
            : verdict,
        );
      });
    });
    req.on('error', (error) =>
      finish(classifyFailure(error, req?.socket?.bytesRead ?? 0, elapsed(), denyBy, sawEof)),
    );
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
