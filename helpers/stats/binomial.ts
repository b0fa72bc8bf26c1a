// ln(k!) for k ≤ n, summed once: exact enough (relative error ~1e-12) for the binomial masses used here.
const lnFactorials: number[] = [0];

function lnFactorial(k: number): number {
  for (let i = lnFactorials.length; i <= k; i += 1)
    lnFactorials.push((lnFactorials[i - 1] ?? 0) + Math.log(i));
  return lnFactorials[k] ?? Number.NaN;
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const ln =
    lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  return Math.exp(ln);
}
