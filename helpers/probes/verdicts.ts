import { z } from 'zod';

// The probes print these as JSON; the suite parses probe stdout (authz) and the written file (connections) with
// them. The probes themselves import only the inferred types, so zod stays out of the pod bundle's hot path.

/** How a deny was recognised: a waypoint's L7 `403` + `RBAC: access denied`, or a ztunnel L4 reset/close. */
export const DenyBy = z.enum(['http-403-rbac', 'reset']);

/**
 * Why a request proved nothing about policy. A 503 (broken waypoint), another 403 body, a timeout, a refused
 * connection or a DNS failure are not denies: counting them as one would let a broken mesh pass a deny check.
 */
export const AuthzErrorReason = z.enum([
  'http-status', // a response that is neither 2xx/3xx nor the waypoint's RBAC 403 (503, 404, other 403 bodies)
  'timeout', // no verdict within --timeout (connect, response or body)
  'refused', // ECONNREFUSED: nothing listening
  'dns', // the host name did not resolve
  'unreachable', // no route to the host or network
  'protocol', // the peer sent bytes that are not a complete HTTP response, then closed
  'network', // any other socket error
]);
export type AuthzErrorReason = z.infer<typeof AuthzErrorReason>;

export const AuthzVerdict = z.discriminatedUnion('verdict', [
  z.object({
    verdict: z.literal('allow'),
    status: z.number().int(),
    evidence: z.string(),
    elapsedMs: z.number(),
  }),
  z.object({
    verdict: z.literal('deny'),
    by: DenyBy,
    status: z.number().int().optional(),
    evidence: z.string(),
    elapsedMs: z.number(),
  }),
  z.object({
    verdict: z.literal('error'),
    reason: AuthzErrorReason,
    status: z.number().int().optional(),
    evidence: z.string(),
    elapsedMs: z.number(),
  }),
]);
export type AuthzVerdict = z.infer<typeof AuthzVerdict>;
export type AuthzExpect = 'allow' | 'deny';

/**
 * How a long-lived connection ended. `open`: still alive when the probe stopped. `closed`: the probe closed it
 * itself at the end of `--planned-life`. `reset`: ECONNRESET. `eof`: the peer closed (FIN). `timeout`: an echo did
 * not come back within one interval. `error`: anything else (connect failure, wrong echo).
 */
export const LongOutcome = z.enum(['open', 'closed', 'reset', 'eof', 'timeout', 'error']);
export type LongOutcome = z.infer<typeof LongOutcome>;

const epochMs = z.number().int().nonnegative();

export const LongConnection = z.object({
  id: z.number().int().nonnegative(),
  /** When the TCP connect completed; null if it never did (outcome `error`). */
  opened: epochMs.nullable(),
  /** When the end was observed (or the probe closed it); null while `open`. */
  closed: epochMs.nullable(),
  outcome: LongOutcome,
  /** When the last correct echo came back; null if none did. */
  lastEcho: epochMs.nullable(),
  echoes: z.number().int().nonnegative(),
  error: z.string().optional(),
});
export type LongConnection = z.infer<typeof LongConnection>;

export const NewConnectionFailure = z.object({ at: epochMs, error: z.string() });

export const ConnectionsReport = z.object({
  target: z.string(),
  started: epochMs,
  ended: epochMs,
  intervalMs: z.number().int().positive(),
  plannedLifeMs: z.number().int().positive().nullable(),
  /** Why the probe stopped: its --duration elapsed, or SIGTERM/SIGINT. */
  stoppedBy: z.enum(['duration', 'signal']),
  long: z.array(LongConnection),
  new: z.object({
    attempted: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    firstSucceeded: epochMs.nullable(),
    lastSucceeded: epochMs.nullable(),
    failures: z.array(NewConnectionFailure),
  }),
});
export type ConnectionsReport = z.infer<typeof ConnectionsReport>;
