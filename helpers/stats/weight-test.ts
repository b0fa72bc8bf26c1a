/**
 * The sequential weight test: does an observed stream of backend names match an expected split?
 *
 * Method — Wald SPRTs judged through Ville's inequality. Expected weights are normalised to shares p0. For each
 * backend with p0 > 0 and each side where it fits in [0, 1], a one-sided test of H0: p = p0 against
 * H1: p = p0 + δ (or p0 − δ) on the backend's binomial share keeps the log-likelihood ratio
 *   Λ = h·ln(p1/p0) + m·ln((1−p1)/(1−p0))      (h responses from the backend, m from the others).
 * After every response:
 *   - fail  when any Λ ≥ ln(T/α)   (T = number of one-sided tests: a Bonferroni split of α);
 *   - pass  when every Λ ≤ ln(β);
 *   - otherwise send another request.
 * Error rates, exact rather than Wald's approximations, because exp(Λ) is a non-negative martingale with mean 1
 * under H0, and exp(−Λ) under H1, so Ville's inequality bounds the chance that it ever crosses a level:
 *   - false fail: if the true split equals the weights, P(some Λ ever ≥ ln(T/α)) ≤ T · α/T = α;
 *   - false pass: if some backend's true share is p0 + δ, passing needs that backend's upper Λ ≤ ln β at some
 *     point, P ≤ β; a share further off makes every step of Λ larger, so crossing ln β only gets rarer. Only one
 *     test must be wrong for a false pass, so β needs no split.
 * The rule depends only on the current counts (no test is "frozen" once it accepts), which keeps the bounds above
 * intact and lets `twoBackendOperatingCharacteristic` compute the error rates exactly.
 * With two backends the second share is 1 − the first, so its tests duplicate the first's and are dropped (T = 2).
 *
 * Outside the SPRT: any response from a backend with weight 0 or not listed fails at once; request errors
 * (non-2xx, timeout, reset, a body naming no backend) are not evidence of the split, and more than
 * max(maxErrors, ⌊maxErrorFraction · requests⌋) of them at any point makes the verdict inconclusive; reaching
 * maxRequests undecided is inconclusive. Errors are left out of the shares; the bound keeps the bias they could
 * cause (errors that all come from one backend) well below δ.
 */

export interface WeightTestOptions {
  /** Bound on P(fail | true split = weights). */
  alpha: number;
  /** Bound on P(pass | some backend's share off by ≥ delta). */
  beta: number;
  /** Smallest absolute share error that must fail (0.05 = 5 percentage points). */
  delta: number;
  /** Never send more; undecided there is inconclusive. */
  maxRequests: number;
  /** Errors always tolerated … */
  maxErrors: number;
  /** … or this fraction of requests so far, whichever is larger. */
  maxErrorFraction: number;
}

export const DEFAULT_WEIGHT_TEST_OPTIONS: Readonly<WeightTestOptions> = Object.freeze({
  alpha: 0.001,
  beta: 0.001,
  delta: 0.05,
  maxRequests: 5000,
  maxErrors: 5,
  maxErrorFraction: 0.01,
});

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export type Decision = { state: 'undecided' } | { state: Verdict; reason: string };

export interface OneSidedTest {
  backend: string;
  /** `above`: H1 is p0 + δ; `below`: H1 is p0 − δ. */
  side: 'above' | 'below';
  p0: number;
  p1: number;
  /** Λ step for a response from `backend`, and for one from any other backend (may be ±Infinity at p1 ∈ {0, 1}). */
  llrHit: number;
  llrMiss: number;
}

export interface WeightTestPlan {
  /** Expected weights normalised to shares; weight-0 backends kept (with share 0). */
  shares: Readonly<Record<string, number>>;
  tests: readonly OneSidedTest[];
  /** ln(T/α): fail at or above. */
  rejectAt: number;
  /** ln(β): pass when every Λ is at or below. */
  acceptAt: number;
  options: Readonly<WeightTestOptions>;
}

export interface Observations {
  requests: number;
  errors: number;
  /** Responses per backend name, unexpected names included. */
  counts: Readonly<Record<string, number>>;
}

// p0 ± δ computed in floating point can miss 0 or 1 by an ulp (0.95 + 0.05); treat that as the boundary.
const EDGE = 1e-9;

export function normaliseWeights(expected: Readonly<Record<string, number>>): Record<string, number> {
  const entries = Object.entries(expected);
  if (entries.length === 0) throw new RangeError('no expected backends — give at least one name=weight');
  for (const [name, weight] of entries) {
    if (name === '') throw new RangeError('a backend name is empty');
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weight of ${name} must be a finite number ≥ 0, got ${weight}`);
    }
  }
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) throw new RangeError('all weights are 0 — at least one backend must carry traffic');
  return Object.fromEntries(entries.map(([name, weight]) => [name, weight / total]));
}

function checkOptions(o: WeightTestOptions): void {
  const open = (name: string, value: number, max: number) => {
    if (!(value > 0 && value < max)) throw new RangeError(`${name} must be in (0, ${max}), got ${value}`);
  };
  open('alpha', o.alpha, 0.5);
  open('beta', o.beta, 0.5);
  // δ ≤ 0.5 guarantees every backend has at least one side that fits in [0, 1].
  if (!(o.delta > 0 && o.delta <= 0.5)) throw new RangeError(`delta must be in (0, 0.5], got ${o.delta}`);
  if (!Number.isInteger(o.maxRequests) || o.maxRequests < 1) {
    throw new RangeError(`maxRequests must be an integer ≥ 1, got ${o.maxRequests}`);
  }
  if (!Number.isInteger(o.maxErrors) || o.maxErrors < 0) {
    throw new RangeError(`maxErrors must be an integer ≥ 0, got ${o.maxErrors}`);
  }
  if (!(o.maxErrorFraction >= 0 && o.maxErrorFraction < 1)) {
    throw new RangeError(`maxErrorFraction must be in [0, 1), got ${o.maxErrorFraction}`);
  }
}

function oneSided(backend: string, side: OneSidedTest['side'], p0: number, p1: number): OneSidedTest {
  return { backend, side, p0, p1, llrHit: Math.log(p1 / p0), llrMiss: Math.log((1 - p1) / (1 - p0)) };
}

export function planWeightTest(
  expected: Readonly<Record<string, number>>,
  options: Partial<WeightTestOptions> = {},
): WeightTestPlan {
  const merged: WeightTestOptions = { ...DEFAULT_WEIGHT_TEST_OPTIONS, ...options };
  checkOptions(merged);
  const shares = normaliseWeights(expected);
  const carrying = Object.entries(shares).filter(([, share]) => share > 0);
  // Two backends: the second's share is 1 − the first's, so testing the first covers both.
  const tested = carrying.length === 2 ? carrying.slice(0, 1) : carrying;
  const tests: OneSidedTest[] = [];
  for (const [backend, p0] of tested) {
    if (p0 + merged.delta <= 1 + EDGE)
      tests.push(oneSided(backend, 'above', p0, Math.min(1, p0 + merged.delta)));
    if (p0 - merged.delta >= -EDGE)
      tests.push(oneSided(backend, 'below', p0, Math.max(0, p0 - merged.delta)));
  }
  return {
    shares,
    tests,
    rejectAt: Math.log(tests.length / merged.alpha),
    acceptAt: Math.log(merged.beta),
    options: merged,
  };
}

/** Errors tolerated after `requests` requests. */
export function errorAllowance(requests: number, options: Readonly<WeightTestOptions>): number {
  return Math.max(options.maxErrors, Math.floor(options.maxErrorFraction * requests));
}

// 0 · ±Infinity is NaN in IEEE arithmetic; no responses of a kind contribute nothing.
function term(count: number, step: number): number {
  return count === 0 ? 0 : count * step;
}

/** Λ of one test for the given counts. */
export function logLikelihoodRatio(test: OneSidedTest, counts: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(counts)) total += count;
  const hits = counts[test.backend] ?? 0;
  return term(hits, test.llrHit) + term(total - hits, test.llrMiss);
}

const fmt = (x: number) => x.toFixed(3);

function sharesText(plan: WeightTestPlan, counts: Readonly<Record<string, number>>): string {
  let total = 0;
  for (const count of Object.values(counts)) total += count;
  return Object.entries(plan.shares)
    .map(
      ([name, share]) =>
        `${name} ${fmt(total === 0 ? 0 : (counts[name] ?? 0) / total)} (expected ${fmt(share)})`,
    )
    .join(', ');
}

/** The decision for the observations so far. Pure: the same observations always give the same decision. */
export function judge(plan: WeightTestPlan, seen: Observations): Decision {
  const { counts, errors, requests } = seen;
  for (const [name, count] of Object.entries(counts)) {
    if (count > 0 && !((plan.shares[name] ?? 0) > 0)) {
      const why = name in plan.shares ? 'has weight 0' : 'is not an expected backend';
      return { state: 'fail', reason: `${name} ${why} but answered ${count} of ${requests} requests` };
    }
  }
  const allowed = errorAllowance(requests, plan.options);
  if (errors > allowed) {
    return {
      state: 'inconclusive',
      reason:
        `${errors} errors in ${requests} requests exceed the bound of ${allowed} ` +
        `(max(${plan.options.maxErrors}, ${plan.options.maxErrorFraction * 100} % of requests)); the split is not judged`,
    };
  }
  let worst: { test: OneSidedTest; llr: number } | undefined;
  let allAccept = true;
  for (const test of plan.tests) {
    const llr = logLikelihoodRatio(test, counts);
    if (worst === undefined || llr > worst.llr) worst = { test, llr };
    if (!(llr <= plan.acceptAt)) allAccept = false;
  }
  if (worst !== undefined && worst.llr >= plan.rejectAt) {
    const { test, llr } = worst;
    return {
      state: 'fail',
      reason:
        `${test.backend}: share p = ${fmt(test.p0)} rejected in favour of p = ${fmt(test.p1)} ` +
        `(log-likelihood ratio ${fmt(llr)} ≥ ln(${plan.tests.length}/α) = ${fmt(plan.rejectAt)}) after ` +
        `${requests} requests: ${sharesText(plan, counts)}`,
    };
  }
  if (allAccept && plan.tests.length > 0) {
    return {
      state: 'pass',
      reason:
        `every share matches within ±${plan.options.delta} (each one-sided test accepted p0 against p0 ± δ at ` +
        `β = ${plan.options.beta}) after ${requests} requests: ${sharesText(plan, counts)}`,
    };
  }
  if (requests >= plan.options.maxRequests) {
    return {
      state: 'inconclusive',
      reason:
        `undecided after ${requests} requests (max-requests): the split is near but not at the expected one, ` +
        `${sharesText(plan, counts)}`,
    };
  }
  return { state: 'undecided' };
}

export interface WeightTest {
  readonly plan: WeightTestPlan;
  /** Records one response (`null` for a request error) and returns the decision so far. */
  observe(backend: string | null): Decision;
  observations(): Observations;
}

export function createWeightTest(
  expected: Readonly<Record<string, number>>,
  options: Partial<WeightTestOptions> = {},
): WeightTest {
  const plan = planWeightTest(expected, options);
  const counts: Record<string, number> = Object.fromEntries(
    Object.keys(plan.shares).map((name) => [name, 0]),
  );
  let requests = 0;
  let errors = 0;
  let decision: Decision = { state: 'undecided' };
  return {
    plan,
    observe(backend) {
      // A decided test must stop sending: observing on is a caller bug that would break the stated error rates.
      if (decision.state !== 'undecided') throw new Error(`observe() after the verdict (${decision.state})`);
      requests += 1;
      if (backend === null) errors += 1;
      else counts[backend] = (counts[backend] ?? 0) + 1;
      decision = judge(plan, { requests, errors, counts });
      return decision;
    },
    observations: () => ({ requests, errors, counts: { ...counts } }),
  };
}
