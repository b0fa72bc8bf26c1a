import { judge, planWeightTest, type WeightTestOptions } from './weight-test.ts';

export interface OperatingCharacteristic {
  pass: number;
  fail: number;
  inconclusive: number;
  meanRequests: number;
  /** Smallest request count by which the test has stopped with probability ≥ q. */
  requestsQuantile(q: number): number;
}

/**
 * Exact verdict probabilities and request-count distribution of the sequential test for a two-backend split,
 * no request errors, the first backend's true share being `trueFirstShare`. Because `judge` depends only on the
 * counts, the undecided runs after n requests are a distribution over the first backend's count s; one step of
 * dynamic programming per request moves that mass and removes what `judge` decides. Cost: maxRequests × the width
 * of the undecided band (a few dozen counts), milliseconds at the defaults.
 */
export function twoBackendOperatingCharacteristic(
  expected: Readonly<Record<string, number>>,
  trueFirstShare: number,
  options: Partial<WeightTestOptions> = {},
): OperatingCharacteristic {
  const plan = planWeightTest(expected, options);
  const carrying = Object.entries(plan.shares)
    .filter(([, share]) => share > 0)
    .map(([name]) => name);
  const [first, second] = carrying;
  if (carrying.length !== 2 || first === undefined || second === undefined) {
    throw new RangeError(`exactly two backends with weight > 0 needed, got ${carrying.join(', ')}`);
  }
  const max = plan.options.maxRequests;
  const p = trueFirstShare;
  let current = new Float64Array(max + 2);
  let next = new Float64Array(max + 2);
  const stoppedAt = new Float64Array(max + 1);
  const total = { pass: 0, fail: 0, inconclusive: 0 };
  current[0] = 1;
  let lo = 0;
  let hi = 0;
  for (let n = 1; n <= max && lo <= hi; n += 1) {
    next.fill(0, lo, hi + 2);
    for (let s = lo; s <= hi; s += 1) {
      const m = current[s] ?? 0;
      if (m === 0) continue;
      next[s + 1] = (next[s + 1] ?? 0) + m * p;
      next[s] = (next[s] ?? 0) + m * (1 - p);
    }
    let newLo = Number.POSITIVE_INFINITY;
    let newHi = Number.NEGATIVE_INFINITY;
    for (let s = lo; s <= hi + 1; s += 1) {
      const m = next[s] ?? 0;
      if (m === 0) continue;
      const decision = judge(plan, { requests: n, errors: 0, counts: { [first]: s, [second]: n - s } });
      if (decision.state === 'undecided') {
        newLo = Math.min(newLo, s);
        newHi = Math.max(newHi, s);
        continue;
      }
      total[decision.state] += m;
      stoppedAt[n] = (stoppedAt[n] ?? 0) + m;
      next[s] = 0;
    }
    current.fill(0, lo, hi + 1);
    [current, next] = [next, current];
    lo = newLo;
    hi = newHi;
  }
  let meanRequests = 0;
  stoppedAt.forEach((mass, n) => {
    meanRequests += mass * n;
  });
  return {
    ...total,
    meanRequests,
    requestsQuantile(q) {
      let cumulative = 0;
      for (let n = 0; n <= max; n += 1) {
        cumulative += stoppedAt[n] ?? 0;
        if (cumulative >= q - 1e-12) return n;
      }
      return max;
    },
  };
}
