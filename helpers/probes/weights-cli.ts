import {
  DEFAULT_WEIGHT_TEST_OPTIONS,
  normaliseWeights,
  type WeightTestOptions,
} from '../stats/weight-test.ts';
import {
  ArgError,
  numberArg,
  optionalString,
  parseCommand,
  parseProbeArgs,
  requireString,
  urlArg,
} from './args.ts';
import { type ProbeIo, processIo } from './io.ts';
import {
  DEFAULT_WARMUP_TIMEOUT_MS,
  EXIT_CODES,
  httpWeightsSender,
  runWeightsProbe,
  type WarmupOptions,
  type WeightsSender,
} from './weights.ts';

const D = DEFAULT_WEIGHT_TEST_OPTIONS;

export const WEIGHTS_HELP = `Usage: probe weights --url URL --match REGEX --expect name=weight,name=weight [options]

Sends GET requests one at a time, each on a new connection, names the backend that answered by the first match
of REGEX in the body (capture group 1 if the pattern has one), and decides with a sequential test whether the
split matches the weights (normalised to shares). Prints one JSON line:
  {"verdict":"pass"|"fail"|"inconclusive","reason":"…","requests":n,"counts":{…},"expected":{…},"errors":n,
   "errorKinds":{…},"interval":{name:{"share","low","high"}},"settings":{…}}

  pass          every backend's share matches; P(pass) ≤ beta if any share is off by ≥ delta
  fail          a share differs (P(fail) ≤ alpha when the split is exactly the weights), or a backend with
                weight 0 or not listed answered
  inconclusive  more than max(${D.maxErrors}, ${D.maxErrorFraction * 100} % of requests) errors (non-2xx, timeout, reset, no match),
                or --max-requests reached undecided, or the warm-up not reached within --warmup-timeout

Warm-up (--warmup N): before counting, send until N consecutive answers come from backends listed with weight > 0
(an error or any other backend restarts the run), so answers from before a route reached the proxy are not judged.
They are reported under "warmup" ({required, reached, requests, elapsedMs, counts, errors, errorKinds,
longestRun, lastAnswers}). After the warm-up, an unlisted or weight-0 backend still fails at once.

Options:
  --url URL            http:// or https:// URL to request (required)
  --match REGEX        JavaScript regular expression naming the backend, e.g. 'reviews-v[0-9]' (required)
  --expect LIST        name=weight,… e.g. reviews-v1=90,reviews-v2=10 (required)
  --max-requests N     never send more (default ${D.maxRequests})
  --alpha A            false-fail bound (default ${D.alpha})
  --beta B             false-pass bound (default ${D.beta})
  --delta D            smallest share error that must fail, absolute (default ${D.delta})
  --timeout MS         deadline per request: connect + response + body (default 5000)
  --warmup N           consecutive good answers required before counting (default 0: no warm-up)
  --warmup-timeout MS  give up the warm-up (inconclusive) after this long (default ${DEFAULT_WARMUP_TIMEOUT_MS})
  -h, --help           show this help

Exit: 0 pass, 1 fail, 2 inconclusive or bad arguments.
`;

export interface WeightsArgs {
  url: URL;
  match: RegExp;
  expected: Record<string, number>;
  options: Partial<WeightTestOptions>;
  timeoutMs: number;
  /** Undefined without --warmup (or --warmup 0). */
  warmup?: WarmupOptions;
}

/** `a=90,b=10` → { a: 90, b: 10 }; every malformed entry is an error, none is skipped. */
export function parseExpect(raw: string): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const entry of raw.split(',')) {
    const match = /^([^=\s]+)=([0-9]+(?:\.[0-9]+)?)$/.exec(entry.trim());
    const name = match?.[1];
    const weight = match?.[2];
    if (name === undefined || weight === undefined) {
      throw new ArgError(`--expect entries must be name=weight (weight a number ≥ 0), got '${entry}'`);
    }
    if (Object.hasOwn(expected, name)) throw new ArgError(`--expect names ${name} twice`);
    expected[name] = Number(weight);
  }
  try {
    normaliseWeights(expected);
  } catch (error) {
    throw new ArgError(`--expect: ${(error as Error).message}`);
  }
  return expected;
}

export function parseWeightsArgs(argv: readonly string[]): WeightsArgs | 'help' {
  const values = parseProbeArgs(argv, {
    url: { type: 'string' },
    match: { type: 'string' },
    expect: { type: 'string' },
    'max-requests': { type: 'string' },
    alpha: { type: 'string' },
    beta: { type: 'string' },
    delta: { type: 'string' },
    timeout: { type: 'string' },
    warmup: { type: 'string' },
    'warmup-timeout': { type: 'string' },
  });
  if (values.help === true) return 'help';
  const url = urlArg('url', requireString(values, 'url'), ['http:', 'https:']);
  const rawMatch = requireString(values, 'match');
  let match: RegExp;
  try {
    match = new RegExp(rawMatch);
  } catch (error) {
    throw new ArgError(`--match is not a regular expression: ${(error as Error).message}`);
  }
  const expected = parseExpect(requireString(values, 'expect'));
  const options: Partial<WeightTestOptions> = {};
  const number = (name: string, bounds: Parameters<typeof numberArg>[2]) => {
    const raw = optionalString(values, name);
    return raw === undefined ? undefined : numberArg(name, raw, bounds);
  };
  const maxRequests = number('max-requests', { min: 1, max: 1_000_000, integer: true });
  if (maxRequests !== undefined) options.maxRequests = maxRequests;
  // Probabilities must be strictly inside (0, 0.5): numberArg's bounds are inclusive, so check 0 here.
  for (const name of ['alpha', 'beta'] as const) {
    const value = number(name, { min: 0, max: 0.4999 });
    if (value === 0) throw new ArgError(`--${name} must be greater than 0`);
    if (value !== undefined) options[name] = value;
  }
  const delta = number('delta', { min: 0, max: 0.5 });
  if (delta === 0) throw new ArgError('--delta must be greater than 0');
  if (delta !== undefined) options.delta = delta;
  const timeoutMs = number('timeout', { min: 1, max: 600_000, integer: true }) ?? 5000;
  const required = number('warmup', { min: 0, max: 100_000, integer: true }) ?? 0;
  const warmupTimeout = number('warmup-timeout', { min: 1, max: 3_600_000, integer: true });
  if (warmupTimeout !== undefined && required === 0) {
    throw new ArgError('--warmup-timeout needs --warmup N with N > 0');
  }
  if (required === 0) return { url, match, expected, options, timeoutMs };
  const warmup = { required, timeoutMs: warmupTimeout ?? DEFAULT_WARMUP_TIMEOUT_MS };
  return { url, match, expected, options, timeoutMs, warmup };
}

/**
 * `probe weights`: parses arguments, runs the test, prints one JSON line. Returns the exit code (0 pass, 1 fail,
 * 2 inconclusive or bad arguments). `send` replaces the HTTP sender in tests.
 */
export async function weightsMain(
  argv: readonly string[],
  io: ProbeIo = processIo,
  send?: WeightsSender,
): Promise<number> {
  const args = parseCommand('weights', argv, parseWeightsArgs, WEIGHTS_HELP, io);
  if (typeof args === 'number') return args;
  const sender = send ?? httpWeightsSender(args.url, args.match, args.timeoutMs);
  const verdict = await runWeightsProbe(args.expected, args.options, sender, args.warmup);
  io.stdout(`${JSON.stringify(verdict)}\n`);
  return EXIT_CODES[verdict.verdict];
}
