import { z } from 'zod';

// Probe figures as the report receives them. The probes own their verdicts; these schemas only parse the
// shapes the report draws and tabulates, so a probe that grows a field does not break a report.

/** Epoch milliseconds or an ISO timestamp (probes in pods print ISO; tests use numbers); stored as ms. */
export const Timestamp = z
  .union([z.number().finite(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const LONG_OUTCOMES = ['open', 'reset', 'eof', 'timeout', 'error', 'closed'] as const;
export type LongOutcome = (typeof LONG_OUTCOMES)[number];

export const LongConnection = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  opened: Timestamp,
  closed: Timestamp.nullish().transform((v) => v ?? null),
  outcome: z.enum(LONG_OUTCOMES),
  lastEcho: Timestamp.nullish().transform((v) => v ?? null),
});
export type LongConnection = z.output<typeof LongConnection>;

export const ConnectionsProbe = z.object({
  long: z.array(LongConnection),
  new: z.object({
    attempted: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    failures: z.array(z.object({ at: Timestamp, error: z.string() })),
  }),
});
export type ConnectionsProbe = z.output<typeof ConnectionsProbe>;
export type ConnectionsProbeInput = z.input<typeof ConnectionsProbe>;

/** One ztunnel pod replaced on a node: SIGTERM, the drain deadline, and the end of the grace period. */
export const Replacement = z.object({
  node: z.string(),
  sigtermAt: Timestamp,
  deadlineAt: Timestamp,
  graceEndAt: Timestamp,
});
export type Replacement = z.output<typeof Replacement>;
export type ReplacementInput = z.input<typeof Replacement>;

export const Share = z.object({
  share: z.number().min(0).max(1),
  low: z.number().min(0).max(1),
  high: z.number().min(0).max(1),
});

export const WeightsProbe = z.object({
  verdict: z.string(),
  requests: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  expected: z.record(z.string(), z.number().min(0).max(1)),
  interval: z.record(z.string(), Share).optional(),
  reason: z.string().optional(),
  /** The weight test's settings: δ draws the tolerance band, α and β are its error bounds. */
  settings: z.object({ alpha: z.number(), beta: z.number(), delta: z.number() }).optional(),
});
export type WeightsProbe = z.output<typeof WeightsProbe>;

export const AUTHZ_OUTCOMES = ['allow', 'deny', 'error'] as const;

/** One cell of the allow/deny matrix: who called whom, what policy says, what was seen and the proof. */
export const AuthzCell = z.object({
  source: z.string(),
  destination: z.string(),
  expected: z.enum(['allow', 'deny']),
  observed: z.enum(AUTHZ_OUTCOMES),
  evidence: z.string(),
});
export type AuthzCell = z.output<typeof AuthzCell>;
