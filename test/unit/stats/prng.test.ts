import { describe, expect, it } from 'vitest';
import { binomialPmf } from '../../../helpers/stats/binomial.ts';
import { wilsonInterval } from '../../../helpers/stats/interval.ts';
import { categoricalSampler, seededRng } from '../../../helpers/stats/prng.ts';
import { sharedDraws } from '../../../helpers/stats/simulate.ts';

describe('seededRng', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRng(seed));
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
    for (const u of take(3)) expect(u >= 0 && u < 1).toBe(true);
  });

  it('is uniform enough: mean and decile counts of 100 000 draws', () => {
    const rng = seededRng(42);
    const n = 100_000;
    const deciles = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i += 1) {
      const u = rng();
      sum += u;
      deciles[Math.floor(u * 10)] = (deciles[Math.floor(u * 10)] ?? 0) + 1;
    }
    // SE of the mean is 0.29/√n ≈ 0.0009; a decile count has SD ≈ 95: 6 SD bounds.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0055);
    for (const count of deciles) expect(Math.abs(count - n / 10)).toBeLessThan(570);
  });
});

describe('categoricalSampler', () => {
  it('draws names with their shares and null for the rest', () => {
    const draw = categoricalSampler(seededRng(5), { a: 0.7, b: 0.2 });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50_000; i += 1) {
      const key = draw() ?? 'error';
      counts[key] = (counts[key] ?? 0) + 1;
    }
    // SD of a's count ≈ 102, of the errors' ≈ 67.
    expect(Math.abs((counts.a ?? 0) - 35_000)).toBeLessThan(620);
    expect(Math.abs((counts.error ?? 0) - 5_000)).toBeLessThan(410);
  });

  it('rejects shares that are negative or sum over 1', () => {
    expect(() => categoricalSampler(seededRng(1), { a: 0.8, b: 0.3 })).toThrow(/sum to at most 1/);
    expect(() => categoricalSampler(seededRng(1), { a: -0.1 })).toThrow(/non-negative/);
  });
});

describe('sharedDraws', () => {
  it('replays the same draws to each reader', () => {
    const shared = sharedDraws(categoricalSampler(seededRng(8), { a: 0.5, b: 0.5 }));
    const first = shared.reader();
    const a = Array.from({ length: 20 }, first);
    const second = shared.reader();
    expect(Array.from({ length: 30 }, second).slice(0, 20)).toEqual(a);
  });
});

describe('wilsonInterval and binomialPmf', () => {
  it('matches textbook Wilson intervals', () => {
    const ci = wilsonInterval(90, 100, 1.959964);
    expect(ci.share).toBe(0.9);
    expect(ci.low).toBeCloseTo(0.8256, 4);
    expect(ci.high).toBeCloseTo(0.9448, 4);
    expect(wilsonInterval(0, 0)).toEqual({ share: 0, low: 0, high: 1 });
    const edge = wilsonInterval(0, 50);
    expect(edge.low).toBe(0);
    expect(edge.high).toBeGreaterThan(0.1);
  });

  it('gives binomial masses that sum to 1 and match known values', () => {
    let total = 0;
    for (let k = 0; k <= 500; k += 1) total += binomialPmf(k, 500, 0.85);
    expect(total).toBeCloseTo(1, 10);
    expect(binomialPmf(2, 4, 0.5)).toBeCloseTo(6 / 16, 14);
    expect(binomialPmf(0, 10, 0)).toBe(1);
    expect(binomialPmf(11, 10, 0.3)).toBe(0);
  });
});
