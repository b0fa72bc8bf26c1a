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

/**
 * What the warm-up saw before counting began (`--warmup N`): answers that came while the route was still
 * converging are reported here and never judged.
 */
export const WarmupReport = z.object({
  /** Consecutive answers needed, each from a listed backend with weight > 0. */
  required: z.number().int().positive(),
  reached: z.boolean(),
  /** Requests sent during the warm-up (the last `required` of them made the run when reached). */
  requests: z.number().int().nonnegative(),
  elapsedMs: z.number().int().nonnegative(),
  /** Answers per backend during the warm-up, unexpected names included. */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  errors: z.number().int().nonnegative(),
  errorKinds: z.partialRecord(WeightsErrorKind, z.number().int().positive()),
  /** The longest run of good answers seen. */
  longestRun: z.number().int().nonnegative(),
  /** The last answers before the warm-up ended, oldest first (backend name or `error: kind`). */
  lastAnswers: z.array(z.string()),
});
export type WarmupReport = z.infer<typeof WarmupReport>;

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
  /** Present when `--warmup` was given. */
  warmup: WarmupReport.optional(),
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

export interface WarmupOptions {
  /** Consecutive good answers (listed backend, weight > 0) required before counting; 0 skips the warm-up. */
  required: number;
  /** The warm-up gives up (verdict `inconclusive`) when not reached this long after it began. */
  timeoutMs: number;
  /** Injected clock for tests. */
  now?: () => number;
}

export const DEFAULT_WARMUP_TIMEOUT_MS = 60_000;
const LAST_ANSWERS = 10;

/**
 * Sends until `required` consecutive answers come from backends listed with weight > 0, or `timeoutMs` passes.
 * Errors and answers from other backends restart the run: they mean the route (or the backends) have not settled.
 */
export async function runWarmup(
  shares: Readonly<Record<string, number>>,
  { required, timeoutMs, now = Date.now }: WarmupOptions,
  send: WeightsSender,
): Promise<WarmupReport> {
  const started = now();
  const counts: Record<string, number> = {};
  const errorKinds: Partial<Record<WeightsErrorKind, number>> = {};
  const lastAnswers: string[] = [];
  let requests = 0;
  let errors = 0;
  let run = 0;
  let longestRun = 0;
  while (run < required && now() - started < timeoutMs) {
    const outcome = await send();
    requests += 1;
    let answer: string;
    if ('backend' in outcome) {
      answer = outcome.backend;
      counts[answer] = (counts[answer] ?? 0) + 1;
      run = (shares[answer] ?? 0) > 0 ? run + 1 : 0;
    } else {
      answer = `error: ${outcome.error}`;
      errors += 1;
      errorKinds[outcome.error] = (errorKinds[outcome.error] ?? 0) + 1;
      run = 0;
    }
    longestRun = Math.max(longestRun, run);
    lastAnswers.push(answer);
    if (lastAnswers.length > LAST_ANSWERS) lastAnswers.shift();
  }
  return {
    required,
    reached: run >= required,
    requests,
    elapsedMs: Math.max(0, Math.round(now() - started)),
    counts,
    errors,
    errorKinds,
    longestRun,
    lastAnswers,
  };
}

/** Names what answered during a warm-up that did not settle: the reason of its `inconclusive`. */
export function warmupFailureReason(warmup: WarmupReport, shares: Readonly<Record<string, number>>): string {
  const listed = Object.keys(shares).filter((name) => (shares[name] ?? 0) > 0);
  const answered = Object.entries(warmup.counts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ×${count}${(shares[name] ?? 0) > 0 ? '' : ' (not expected)'}`);
  const errorText = Object.entries(warmup.errorKinds)
    .map(([kind, count]) => `${kind} ×${count}`)
    .join(', ');
  return (
    `warm-up not reached: ${warmup.required} consecutive answers from ${listed.join('/')} needed within ` +
    `${warmup.elapsedMs} ms, longest run ${warmup.longestRun} in ${warmup.requests} requests; answered: ` +
    `${answered.length === 0 ? 'none' : answered.join(', ')}${errorText === '' ? '' : `; errors: ${errorText}`}; ` +
    `last: ${warmup.lastAnswers.join(', ')}; the split is not judged`
  );
}

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
  warmupOptions?: WarmupOptions,
): Promise<WeightsVerdict> {
  const test = createWeightTest(expected, options);
  let warmup: WarmupReport | undefined;
  if (warmupOptions !== undefined && warmupOptions.required > 0) {
    warmup = await runWarmup(test.plan.shares, warmupOptions, send);
    if (!warmup.reached) {
      return {
        verdict: 'inconclusive',
        reason: warmupFailureReason(warmup, test.plan.shares),
        requests: 0,
        counts: {},
        expected: { ...test.plan.shares },
        errors: 0,
        errorKinds: {},
        interval: {},
        warmup,
        settings: { ...test.plan.options },
      };
    }
  }
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
      ...(warmup === undefined ? {} : { warmup }),
      settings: { ...test.plan.options },
    };
  }
}
