import { z } from 'zod';

// The probes print these as JSON; the suite parses probe stdout (authz) and the written file (connections) with
// them. The probes themselves import only the inferred types, so zod stays out of the pod bundle's hot path.

/**
 * How a deny was recognised: a waypoint's L7 `403` + `RBAC: access denied` (`--deny-by waypoint`), or a reset (RST)
 * before any response byte (`--deny-by ztunnel`, ztunnel's L4 deny).
 */
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
  'reset', // a reset (RST) before any response byte where the waypoint's 403 was the expected deny
  'eof', // a clean close (FIN) before any response byte: neither deny mechanism closes that way
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
 * not come back within `--echo-timeout`. `error`: anything else (connect failure, wrong echo).
 */
export const LongOutcome = z.enum(['open', 'closed', 'reset', 'eof', 'timeout', 'error']);
export type LongOutcome = z.infer<typeof LongOutcome>;

const epochMs = z.number().int().nonnegative();

export const LongConnection = z.object({
  id: z.number().int().nonnegative(),
  /** When the TCP connect completed; null if it never did (outcome `error`). */
  opened: epochMs.nullable(),
  /**
   * When it ended; null while `open`. For `reset`/`eof`/`error`: when the end was observed. For `timeout`: its last
   * answered echo (or, if none was answered, when the unanswered line was sent), never when the timeout was noticed,
   * so a connection that went silent before a drain deadline never reads as having lived to it.
   */
  closed: epochMs.nullable(),
  outcome: LongOutcome,
  /** When the last correct echo came back; null if none did. */
  lastEcho: epochMs.nullable(),
  echoes: z.number().int().nonnegative(),
  /** The slowest answered echo (write → echo back), ms; null if none was answered. Optional for older reports. */
  worstEchoMs: z.number().int().nonnegative().nullable().optional(),
  error: z.string().optional(),
});
export type LongConnection = z.infer<typeof LongConnection>;

/**
 * One failed short connection. `at`: when the attempt started; `ended`: when it failed (for a timeout, `at` +
 * `--echo-timeout`); `stage`: whether it failed connecting or waiting for the echo. `ended` and `stage` are
 * optional for older reports.
 */
export const NewConnectionFailure = z.object({
  at: epochMs,
  ended: epochMs.optional(),
  stage: z.enum(['connect', 'echo']).optional(),
  error: z.string(),
});
export type NewConnectionFailure = z.infer<typeof NewConnectionFailure>;

export const ConnectionsReport = z.object({
  target: z.string(),
  started: epochMs,
  ended: epochMs,
  intervalMs: z.number().int().positive(),
  /** Optional for older reports (which timed echoes out after one interval). */
  echoTimeoutMs: z.number().int().positive().optional(),
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
    /** The slowest successful attempt (start → echo), ms; null if none succeeded. Optional for older reports. */
    slowestMs: z.number().int().nonnegative().nullable().optional(),
    /** Every failed attempt, in start order: the judge counts them against ztunnel SIGTERM windows. */
    failures: z.array(NewConnectionFailure),
  }),
});
export type ConnectionsReport = z.infer<typeof ConnectionsReport>;
