/**
 * A seeded pseudo-random generator, so simulations of the weight test are reproducible: the same seed gives the
 * same draws on every machine. sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator) passes PractRand and
 * is four 32-bit words of state; splitmix32 spreads a small integer seed over those words so seeds 1, 2, 3 …
 * give unrelated streams.
 */
export type Rng = () => number;

/** Uniform draws in [0, 1) with 32 bits of resolution. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) | 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/**
 * Draws a backend name with the given true shares; the share left over (1 − Σ shares) is a request error (`null`).
 * Shares are taken as they are, not normalised, so a simulation can include an error rate.
 */
export function categoricalSampler(rng: Rng, shares: Readonly<Record<string, number>>): () => string | null {
  const entries = Object.entries(shares);
  const total = entries.reduce((sum, [, share]) => sum + share, 0);
  if (entries.some(([, share]) => !(share >= 0)) || total > 1 + 1e-9) {
    throw new RangeError(`shares must be non-negative and sum to at most 1, got ${JSON.stringify(shares)}`);
  }
  const cumulative: Array<[string, number]> = [];
  let running = 0;
  for (const [name, share] of entries) {
    running += share;
    cumulative.push([name, running]);
  }
  return () => {
    const u = rng();
    for (const [name, upTo] of cumulative) if (u < upTo) return name;
    return null;
  };
}
