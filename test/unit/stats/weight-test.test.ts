import { describe, expect, it } from 'vitest';
import { twoBackendOperatingCharacteristic } from '../../../helpers/stats/operating-characteristic.ts';
import { categoricalSampler, seededRng } from '../../../helpers/stats/prng.ts';
import { simulateWeightTest } from '../../../helpers/stats/simulate.ts';
import {
  createWeightTest,
  DEFAULT_WEIGHT_TEST_OPTIONS as D,
  errorAllowance,
  judge,
  planWeightTest,
} from '../../../helpers/stats/weight-test.ts';

const EXPECTED = { 'reviews-v1': 90, 'reviews-v2': 10 };
const split = (v1: number, v2: number, extra: Record<string, number> = {}) => ({
  'reviews-v1': v1,
  'reviews-v2': v2,
  ...extra,
});

function run(trueShares: Record<string, number>, seed: number, expected: Record<string, number> = EXPECTED) {
  return simulateWeightTest(expected, categoricalSampler(seededRng(seed), trueShares));
}

describe('planWeightTest', () => {
  it('tests only the first of two backends, on both sides, with alpha split two ways', () => {
    const plan = planWeightTest(EXPECTED);
    expect(plan.shares).toEqual({ 'reviews-v1': 0.9, 'reviews-v2': 0.1 });
    expect(plan.tests.map((t) => [t.backend, t.side, t.p1])).toEqual([
      ['reviews-v1', 'above', expect.closeTo(0.95, 12)],
      ['reviews-v1', 'below', expect.closeTo(0.85, 12)],
    ]);
    expect(plan.rejectAt).toBeCloseTo(Math.log(2 / 0.001), 12);
    expect(plan.acceptAt).toBeCloseTo(Math.log(0.001), 12);
  });

  it('tests every backend of three, dropping sides that leave [0, 1], and ignores weight-0 backends', () => {
    const plan = planWeightTest({ a: 60, b: 37, c: 3, z: 0 });
    expect(plan.tests.map((t) => `${t.backend}:${t.side}`)).toEqual([
      'a:above',
      'a:below',
      'b:above',
      'b:below',
      'c:above',
    ]);
    expect(plan.rejectAt).toBeCloseTo(Math.log(5 / 0.001), 12);
  });

  it('rejects weights and options it cannot honour', () => {
    expect(() => planWeightTest({})).toThrow(/no expected backends/);
    expect(() => planWeightTest({ a: 0, b: 0 })).toThrow(/all weights are 0/);
    expect(() => planWeightTest({ a: -1, b: 2 })).toThrow(/weight of a/);
    expect(() => planWeightTest(EXPECTED, { alpha: 0 })).toThrow(/alpha/);
    expect(() => planWeightTest(EXPECTED, { delta: 0.6 })).toThrow(/delta/);
    expect(() => planWeightTest(EXPECTED, { maxRequests: 1.5 })).toThrow(/maxRequests/);
  });
});

describe('sequential decisions on seeded draws', () => {
  const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);

  it('passes a true 90/10 split', () => {
    for (const seed of seeds) {
      const { decision, requests } = run(split(0.9, 0.1), seed);
      expect(decision.state, `seed ${seed}: ${decision.reason}`).toBe('pass');
      expect(requests).toBeLessThan(D.maxRequests);
    }
  });

  it.each([
    [0.85, 0.15],
    [0.95, 0.05],
    [0.8, 0.2],
    [0.5, 0.5],
  ])('fails a true %s/%s split', (v1, v2) => {
    for (const seed of seeds) {
      const { decision } = run(split(v1, v2), seed);
      expect(decision.state, `seed ${seed}: ${decision.reason}`).toBe('fail');
      expect(decision.reason).toMatch(/rejected in favour of/);
    }
  });

  it('fails on the first response from a weight-0 or unlisted backend', () => {
    for (const [expected, name] of [
      [{ ...EXPECTED, 'reviews-v3': 0 }, 'reviews-v3'],
      [EXPECTED, 'reviews-v3'],
    ] as const) {
      const test = createWeightTest(expected);
      for (let i = 0; i < 20; i += 1)
        expect(test.observe(i % 10 === 9 ? 'reviews-v2' : 'reviews-v1').state).toBe('undecided');
      const decision = test.observe(name);
      expect(decision.state).toBe('fail');
      expect(decision.state === 'fail' && decision.reason).toMatch(
        /reviews-v3 (has weight 0|is not an expected backend)/,
      );
      expect(test.observations().requests).toBe(21);
    }
  });

  it('is inconclusive, never a pass, once errors exceed max(5, 1 % of requests)', () => {
    expect(errorAllowance(100, D)).toBe(5);
    expect(errorAllowance(1234, D)).toBe(12);
    const test = createWeightTest(EXPECTED);
    for (let i = 0; i < 5; i += 1) expect(test.observe(null).state).toBe('undecided');
    const sixth = test.observe(null);
    expect(sixth.state).toBe('inconclusive');
    expect(sixth.state === 'inconclusive' && sixth.reason).toMatch(
      /6 errors in 6 requests exceed the bound of 5/,
    );
    // A true 90/10 split with 3 % errors would pass on the shares alone; the errors make it inconclusive.
    for (const seed of seeds) {
      const { decision } = simulateWeightTest(
        EXPECTED,
        categoricalSampler(seededRng(seed), split(0.9 * 0.97, 0.1 * 0.97)),
      );
      expect(decision.state, decision.reason).toBe('inconclusive');
    }
  });

  it('tolerates errors within the bound', () => {
    let errors = 0;
    const rng = seededRng(7);
    const sample = categoricalSampler(rng, split(0.9, 0.1));
    // Exactly 5 errors spread over the first requests: within the absolute allowance.
    const draw = () => {
      if (errors >= 5 || rng() >= 0.05) return sample();
      errors += 1;
      return null;
    };
    const { decision } = simulateWeightTest(EXPECTED, draw);
    expect(errors).toBe(5);
    expect(decision.state, decision.reason).toBe('pass');
  });

  it('is inconclusive when max-requests is reached undecided', () => {
    const { decision, requests } = simulateWeightTest(
      EXPECTED,
      categoricalSampler(seededRng(3), split(0.9, 0.1)),
      { maxRequests: 50 },
    );
    expect(decision.state).toBe('inconclusive');
    expect(decision.reason).toMatch(/undecided after 50 requests/);
    expect(requests).toBe(50);
  });

  it('refuses observations after the verdict', () => {
    const test = createWeightTest(EXPECTED);
    test.observe('reviews-v9');
    expect(() => test.observe('reviews-v1')).toThrow(/after the verdict/);
  });

  it('judges three backends: equal split passes, one share 5 points off fails', () => {
    const expected = { a: 60, b: 30, c: 10 };
    for (const seed of seeds.slice(0, 5)) {
      const good = simulateWeightTest(
        expected,
        categoricalSampler(seededRng(seed), { a: 0.6, b: 0.3, c: 0.1 }),
      );
      expect(good.decision.state, good.decision.reason).toBe('pass');
      const bad = simulateWeightTest(
        expected,
        categoricalSampler(seededRng(seed), { a: 0.6, b: 0.25, c: 0.15 }),
      );
      expect(bad.decision.state, bad.decision.reason).toBe('fail');
    }
  });

  it('judge depends only on the counts', () => {
    const plan = planWeightTest(EXPECTED);
    const seen = { requests: 700, errors: 0, counts: { 'reviews-v1': 630, 'reviews-v2': 70 } };
    expect(judge(plan, seen)).toEqual(judge(plan, structuredClone(seen)));
    expect(judge(plan, seen).state).toBe('pass');
    expect(judge(plan, { ...seen, counts: { 'reviews-v1': 595, 'reviews-v2': 105 } }).state).toBe('fail');
  });
});

describe('error rates', () => {
  // Exact: dynamic programming over the first backend's count, using the same `judge`.
  it('has exact false-fail ≤ alpha at 90/10 and false-pass ≤ beta at 85/15 and 95/5', () => {
    const atH0 = twoBackendOperatingCharacteristic(EXPECTED, 0.9);
    expect(atH0.fail).toBeLessThanOrEqual(D.alpha);
    expect(atH0.pass + atH0.fail + atH0.inconclusive).toBeCloseTo(1, 9);
    for (const p of [0.85, 0.95]) {
      const atH1 = twoBackendOperatingCharacteristic(EXPECTED, p);
      expect(atH1.pass, `true share ${p}`).toBeLessThanOrEqual(D.beta);
    }
    // Further off, a pass only gets rarer (each step of the log-likelihood ratio is larger).
    expect(twoBackendOperatingCharacteristic(EXPECTED, 0.8).pass).toBeLessThan(
      twoBackendOperatingCharacteristic(EXPECTED, 0.85).pass,
    );
  });

  // Monte Carlo, 2000 seeded runs per split. If the true error rate is at its bound 0.001, the number of wrong
  // verdicts is ~Binomial(2000, 0.001) ≈ Poisson(2): P(≥ 8) ≈ 0.0011, so more than 7 would mean the bound is
  // broken (a rate of 0.005 gives ≥ 8 with P ≈ 0.998). The same runs' mean request count must agree with the
  // exact computation within 4 standard errors, which ties the simulation, the test object and the DP together.
  it.each([
    ['false fails at a true 90/10', 0.9, 'fail'],
    ['false passes at a true 85/15', 0.85, 'pass'],
  ] as const)('Monte Carlo: %s stay within the bound', (_, p, wrong) => {
    const runs = 2000;
    const rng = seededRng(20260101 + Math.round(p * 100));
    const draw = categoricalSampler(rng, split(p, 1 - p));
    let wrongVerdicts = 0;
    const requests: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const result = simulateWeightTest(EXPECTED, draw);
      if (result.decision.state === wrong) wrongVerdicts += 1;
      requests.push(result.requests);
    }
    expect(wrongVerdicts).toBeLessThanOrEqual(7);
    const mean = requests.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(requests.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1));
    const exact = twoBackendOperatingCharacteristic(EXPECTED, p).meanRequests;
    expect(Math.abs(mean - exact)).toBeLessThan((4 * sd) / Math.sqrt(runs));
  });
});
