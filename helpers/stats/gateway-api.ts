/**
 * The Gateway API conformance weight check (kubernetes-sigs/gateway-api conformance/utils/weight/weight.go,
 * `TestWeightedDistribution`, and the `MaxTestRetries` loop around it), ported for comparison only: it is NOT how
 * this suite judges a split. 500 requests; every expected backend's share within ±0.05 absolute; exactly the
 * backends with weight > 0 seen; any request error or unexpected backend fails the attempt; up to 10 attempts,
 * the first passing attempt wins. The tolerance comparison is the same IEEE double expression as Go's
 * (`math.Abs(got-want) > tolerance`), so a count exactly on the edge (425 of 500 against 0.9) fails as upstream.
 */
import { binomialPmf } from './binomial.ts';
import { normaliseWeights } from './weight-test.ts';

export interface GatewayApiOptions {
  requests: number;
  tolerance: number;
  maxAttempts: number;
}

export const GATEWAY_API_DEFAULTS: Readonly<GatewayApiOptions> = Object.freeze({
  requests: 500,
  tolerance: 0.05,
  maxAttempts: 10,
});

export interface GatewayApiResult {
  pass: boolean;
  attempts: number;
  requests: number;
  /** Why the last attempt failed (empty on pass). */
  failures: string[];
}

/** Upstream's per-attempt judgement of the counts of `requests` responses; returns the failures (none = pass). */
export function gatewayApiJudgeCounts(
  shares: Readonly<Record<string, number>>,
  counts: Readonly<Record<string, number>>,
  requests: number,
  tolerance: number,
): string[] {
  const failures: string[] = [];
  const seen = Object.entries(counts).filter(([, count]) => count > 0);
  const active = Object.values(shares).filter((share) => share > 0).length;
  if (seen.length !== active)
    failures.push(`expected ${active} backends to receive traffic, got ${seen.length}`);
  for (const [name, want] of Object.entries(shares)) {
    const got = counts[name] ?? 0;
    if (got === 0 && want !== 0) {
      failures.push(`${name} received no traffic`);
      continue;
    }
    if (Math.abs(got / requests - want) > tolerance)
      failures.push(`${name} share ${got / requests} not ${want}±${tolerance}`);
  }
  return failures;
}

function attempt(
  shares: Readonly<Record<string, number>>,
  draw: () => string | null,
  requests: number,
  tolerance: number,
): string[] {
  const counts: Record<string, number> = {};
  let broken: string | undefined;
  // Upstream sends all requests even after one fails (errgroup), then reports the first error.
  for (let i = 0; i < requests; i += 1) {
    const name = draw();
    if (name === null) broken ??= 'request error';
    else if (!(name in shares)) broken ??= `unexpected backend ${name}`;
    else counts[name] = (counts[name] ?? 0) + 1;
  }
  return broken === undefined ? gatewayApiJudgeCounts(shares, counts, requests, tolerance) : [broken];
}

export function gatewayApiWeightCheck(
  expected: Readonly<Record<string, number>>,
  draw: () => string | null,
  options: Partial<GatewayApiOptions> = {},
): GatewayApiResult {
  const { requests, tolerance, maxAttempts } = { ...GATEWAY_API_DEFAULTS, ...options };
  const shares = normaliseWeights(expected);
  let failures: string[] = [];
  for (let attempts = 1; attempts <= maxAttempts; attempts += 1) {
    failures = attempt(shares, draw, requests, tolerance);
    if (failures.length === 0) return { pass: true, attempts, requests: attempts * requests, failures };
  }
  return { pass: false, attempts: maxAttempts, requests: maxAttempts * requests, failures };
}

/**
 * Exact pass probability of the Gateway API check for a two-backend split whose first backend's true share is
 * `trueFirstShare`: per attempt, and over up to `maxAttempts` independent attempts (1 − (1 − q)^attempts).
 */
export function gatewayApiPassProbability(
  expected: Readonly<Record<string, number>>,
  trueFirstShare: number,
  options: Partial<GatewayApiOptions> = {},
): { attempt: number; overall: number } {
  const { requests, tolerance, maxAttempts } = { ...GATEWAY_API_DEFAULTS, ...options };
  const shares = normaliseWeights(expected);
  const names = Object.keys(shares);
  const [first, second] = names;
  if (names.length !== 2 || first === undefined || second === undefined) {
    throw new RangeError(`exactly two expected backends needed, got ${names.join(', ')}`);
  }
  let q = 0;
  for (let k = 0; k <= requests; k += 1) {
    const counts = { [first]: k, [second]: requests - k };
    if (gatewayApiJudgeCounts(shares, counts, requests, tolerance).length === 0) {
      q += binomialPmf(k, requests, trueFirstShare);
    }
  }
  return { attempt: q, overall: 1 - (1 - q) ** maxAttempts };
}
