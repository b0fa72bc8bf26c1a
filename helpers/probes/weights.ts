import { z } from 'zod';
import { wilsonInterval } from '../stats/interval.ts';
import { createWeightTest, type Verdict, type WeightTestOptions } from '../stats/weight-test.ts';
import { type HttpGetResult, httpGet } from './http-get.ts';

/** Why a request told nothing about the split. */
export const WeightsErrorKind = z.enum([
  'http-status', // a non-2xx answer (a 503 from a proxy with no healthy upstream, a 404 …)
  'timeout',
  'refused',
  'reset',
  'network',
  'no-match', // a 2xx body in which --match finds no backend name
]);
export type WeightsErrorKind = z.infer<typeof WeightsErrorKind>;

const Share = z.number().min(0).max(1);

/** The one JSON line `probe weights` prints. */
export const WeightsVerdict = z.object({
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  reason: z.string(),
  requests: z.number().int().nonnegative(),
  /** Responses per backend name, unexpected names included. */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** The expected weights normalised to shares. */
  expected: z.record(z.string(), Share),
  errors: z.number().int().nonnegative(),
  errorKinds: z.partialRecord(WeightsErrorKind, z.number().int().positive()),
  /** The first error seen, as evidence (status and body snippet, or the socket error). */
  firstError: z.string().optional(),
  /** Observed share among classified responses with a 99.9 % Wilson interval, per backend. */
  interval: z.record(z.string(), z.object({ share: Share, low: Share, high: Share })),
  settings: z.object({
    alpha: z.number(),
    beta: z.number(),
    delta: z.number(),
    maxRequests: z.number().int(),
    maxErrors: z.number().int(),
    maxErrorFraction: z.number(),
  }),
});
export type WeightsVerdict = z.infer<typeof WeightsVerdict>;

export type RequestOutcome = { backend: string } | { error: WeightsErrorKind; detail: string };

/** Sends one request and names the backend that answered; injectable so the loop runs on simulated answers. */
export type WeightsSender = () => Promise<RequestOutcome>;

export const EXIT_CODES: Readonly<Record<Verdict, number>> = { pass: 0, fail: 1, inconclusive: 2 };

const snippet = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 120);

/**
 * Names the backend in a 2xx body: capture group 1 of `match` if the pattern has one (e.g.
 * `"podname":\s*"(reviews-v[0-9])`), else the whole first match (`reviews-v[0-9]`).
 */
export function classifyResponse(result: HttpGetResult, match: RegExp): RequestOutcome {
  if (result.kind === 'failure') return { error: result.reason, detail: result.detail };
  if (result.status < 200 || result.status > 299) {
    return { error: 'http-status', detail: `HTTP ${result.status}: '${snippet(result.body)}'` };
  }
  // A sticky or global pattern would carry lastIndex from one body to the next.
  const found = new RegExp(match.source, match.flags.replace(/[gy]/g, '')).exec(result.body);
  const name = found?.[1] ?? found?.[0];
  if (name === undefined || name === '') {
    return {
      error: 'no-match',
      detail: `no match of /${match.source}/ in HTTP ${result.status} body '${snippet(result.body)}'`,
    };
  }
  return { backend: name };
}

export function httpWeightsSender(url: URL, match: RegExp, timeoutMs: number): WeightsSender {
  return async () => classifyResponse(await httpGet(url, { timeoutMs }), match);
}

/**
 * Sends requests one after another until the sequential test decides (at most `maxRequests`), and reports the
 * verdict with its evidence. Sequential on purpose: concurrent requests would keep sending after the verdict and
 * load the mesh for no information.
 */
export async function runWeightsProbe(
  expected: Readonly<Record<string, number>>,
  options: Partial<WeightTestOptions>,
  send: WeightsSender,
): Promise<WeightsVerdict> {
  const test = createWeightTest(expected, options);
  const errorKinds: Partial<Record<WeightsErrorKind, number>> = {};
  let firstError: string | undefined;
  for (;;) {
    const outcome = await send();
    let backend: string | null = null;
    if ('backend' in outcome) backend = outcome.backend;
    else {
      errorKinds[outcome.error] = (errorKinds[outcome.error] ?? 0) + 1;
      firstError ??= `${outcome.error}: ${outcome.detail}`;
    }
    const decision = test.observe(backend);
    if (decision.state === 'undecided') continue;
    const { requests, errors, counts } = test.observations();
    let classified = 0;
    for (const count of Object.values(counts)) classified += count;
    const interval = Object.fromEntries(
      Object.entries(counts).map(([name, count]) => [name, wilsonInterval(count, classified)]),
    );
    return {
      verdict: decision.state,
      reason: decision.reason,
      requests,
      counts,
      expected: { ...test.plan.shares },
      errors,
      errorKinds,
      ...(firstError === undefined ? {} : { firstError }),
      interval,
      settings: { ...test.plan.options },
    };
  }
}
