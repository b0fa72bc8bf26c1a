import { describe, expect, it } from 'vitest';
import {
  gatewayApiJudgeCounts,
  gatewayApiPassProbability,
  gatewayApiWeightCheck,
} from '../../../helpers/stats/gateway-api.ts';
import { categoricalSampler, seededRng } from '../../../helpers/stats/prng.ts';

const EXPECTED = { 'reviews-v1': 90, 'reviews-v2': 10 };
const SHARES = { 'reviews-v1': 0.9, 'reviews-v2': 0.1 };

describe('Gateway API weight check (ported for comparison)', () => {
  it('judges one attempt like upstream, float edge included', () => {
    expect(gatewayApiJudgeCounts(SHARES, { 'reviews-v1': 450, 'reviews-v2': 50 }, 500, 0.05)).toEqual([]);
    expect(gatewayApiJudgeCounts(SHARES, { 'reviews-v1': 426, 'reviews-v2': 74 }, 500, 0.05)).toEqual([]);
    expect(gatewayApiJudgeCounts(SHARES, { 'reviews-v1': 475, 'reviews-v2': 25 }, 500, 0.05)).toEqual([]);
    // |0.85 − 0.9| is 0.05000000000000004 in doubles: exactly 425 fails, as in Go.
    expect(gatewayApiJudgeCounts(SHARES, { 'reviews-v1': 425, 'reviews-v2': 75 }, 500, 0.05)).toHaveLength(1);
    expect(gatewayApiJudgeCounts(SHARES, { 'reviews-v1': 500 }, 500, 0.05).join()).toMatch(
      /received no traffic/,
    );
    const withZero = { ...SHARES, 'reviews-v3': 0 };
    expect(
      gatewayApiJudgeCounts(
        withZero,
        { 'reviews-v1': 449, 'reviews-v2': 50, 'reviews-v3': 1 },
        500,
        0.05,
      ).join(),
    ).toMatch(/expected 2 backends to receive traffic, got 3/);
  });

  it('has the pass probabilities FACTS §7 states', () => {
    // 85/15 against 90/10: one attempt passes about half the time, ten attempts almost surely.
    const at85 = gatewayApiPassProbability(EXPECTED, 0.85);
    expect(at85.attempt).toBeGreaterThan(0.45);
    expect(at85.attempt).toBeLessThan(0.5);
    expect(at85.overall).toBeCloseTo(0.9986, 4);
    expect(gatewayApiPassProbability(EXPECTED, 0.83).overall).toBeCloseTo(0.667, 3);
    expect(1 - gatewayApiPassProbability(EXPECTED, 0.9).attempt).toBeCloseTo(3e-4, 4);
  });

  it('retries until the first passing attempt', () => {
    const result = gatewayApiWeightCheck(
      EXPECTED,
      categoricalSampler(seededRng(11), { 'reviews-v1': 0.85, 'reviews-v2': 0.15 }),
    );
    expect(result.pass).toBe(true);
    expect(result.requests).toBe(result.attempts * 500);
    const never = gatewayApiWeightCheck(EXPECTED, () => 'reviews-v1');
    expect(never).toMatchObject({ pass: false, attempts: 10, requests: 5000 });
    const unexpected = gatewayApiWeightCheck(EXPECTED, () => 'reviews-v3', { maxAttempts: 1 });
    expect(unexpected.failures).toEqual(['unexpected backend reviews-v3']);
    const erroring = gatewayApiWeightCheck(EXPECTED, () => null, { maxAttempts: 1 });
    expect(erroring.failures).toEqual(['request error']);
  });

  it('on seeded draws passes 85/15 in most runs (the weakness this suite avoids)', () => {
    const rng = seededRng(99);
    const draw = categoricalSampler(rng, { 'reviews-v1': 0.85, 'reviews-v2': 0.15 });
    let passes = 0;
    for (let i = 0; i < 200; i += 1) if (gatewayApiWeightCheck(EXPECTED, draw).pass) passes += 1;
    // Exact P(pass) is 0.9986: 200 runs give ≥ 195 passes with probability > 0.9999.
    expect(passes).toBeGreaterThanOrEqual(195);
  });
});
