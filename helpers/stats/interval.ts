/** z for a two-sided 99.9 % interval: Φ⁻¹(0.9995). */
export const Z_999 = 3.290526731491926;

export interface ShareInterval {
  share: number;
  low: number;
  high: number;
}

/**
 * Wilson score interval for a binomial share. Chosen over the textbook Wald interval because it stays inside
 * [0, 1] and keeps its coverage near 0 and 1 — where a 90/10 split's minority backend lives.
 */
export function wilsonInterval(hits: number, total: number, z = Z_999): ShareInterval {
  if (total === 0) return { share: 0, low: 0, high: 1 };
  const p = hits / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z / (1 + z2 / total)) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return { share: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
