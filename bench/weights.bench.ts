// Requests to a verdict and error rates of the sequential weight test, beside the Gateway API conformance method
// run on the same simulated responses. Seeded Monte Carlo (AUS_BENCH_WEIGHT_RUNS runs per split, default 50 000),
// plus the exact figures from dynamic programming for comparison.
import { gatewayApiPassProbability, gatewayApiWeightCheck } from '../helpers/stats/gateway-api.ts';
import { twoBackendOperatingCharacteristic } from '../helpers/stats/operating-characteristic.ts';
import { categoricalSampler, seededRng } from '../helpers/stats/prng.ts';
import { sharedDraws, simulateWeightTest } from '../helpers/stats/simulate.ts';

const EXPECTED = { 'reviews-v1': 90, 'reviews-v2': 10 };
const TRUE_SPLITS = [0.95, 0.9, 0.87, 0.85, 0.8];

/** What a verdict means at this true split: at 90/10 a fail is the error, off by ≥ 5 points a pass is. */
function role(p: number): string {
  if (Math.abs(p - 0.9) < 1e-9) return 'H0 (fail = false fail)';
  if (Math.abs(p - 0.9) >= 0.05 - 1e-9) return 'off by ≥ δ (pass = false pass)';
  return 'between (no error rate promised)';
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const pct = (x: number) => (x === 0 ? '0' : x < 0.001 ? x.toExponential(1) : x.toFixed(4));

export default async function weightsBench(): Promise<void> {
  const runs = Number(process.env.AUS_BENCH_WEIGHT_RUNS ?? 50_000);
  const started = performance.now();
  const rows: string[] = [];
  for (const p of TRUE_SPLITS) {
    const rng = seededRng(4242 + Math.round(p * 1000));
    const verdicts = { pass: 0, fail: 0, inconclusive: 0 };
    const requests: number[] = [];
    let gwPasses = 0;
    let gwRequests = 0;
    for (let i = 0; i < runs; i += 1) {
      // Both methods read the same responses from the start of the stream.
      const shared = sharedDraws(categoricalSampler(rng, { 'reviews-v1': p, 'reviews-v2': 1 - p }));
      const sprt = simulateWeightTest(EXPECTED, shared.reader());
      verdicts[sprt.decision.state] += 1;
      requests.push(sprt.requests);
      const gw = gatewayApiWeightCheck(EXPECTED, shared.reader());
      if (gw.pass) gwPasses += 1;
      gwRequests += gw.requests;
    }
    requests.sort((a, b) => a - b);
    const mean = requests.reduce((a, b) => a + b, 0) / runs;
    const exact = twoBackendOperatingCharacteristic(EXPECTED, p);
    const gwExact = gatewayApiPassProbability(EXPECTED, p);
    const split = `${Math.round(p * 100)}/${Math.round((1 - p) * 100)}`;
    rows.push(
      `| ${split} | ${role(p)} | ${pct(verdicts.pass / runs)} / ${pct(verdicts.fail / runs)} / ${pct(verdicts.inconclusive / runs)} ` +
        `| ${pct(exact.pass)} / ${pct(exact.fail)} / ${pct(exact.inconclusive)} | ${mean.toFixed(0)} (${exact.meanRequests.toFixed(0)}) ` +
        `| ${quantile(requests, 0.99)} (${exact.requestsQuantile(0.99)}) | ${pct(gwPasses / runs)} (${pct(gwExact.overall)}) ` +
        `| ${(gwRequests / runs).toFixed(0)} |`,
    );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `Expected 90/10; alpha = beta = 0.001, delta = 0.05, max 5000 requests; ${runs} seeded runs per true split; ` +
        'exact values (dynamic programming) in parentheses / second column.',
      '',
      '| true split | meaning | sequential pass / fail / inconclusive (MC) | exact pass / fail / inconclusive | mean requests MC (exact) | p99 requests MC (exact) | Gateway API pass MC (exact) | Gateway API mean requests |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `(${seconds} s)`,
      '',
    ].join('\n'),
  );
}
