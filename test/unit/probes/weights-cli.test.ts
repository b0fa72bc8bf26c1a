import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../../helpers/probes/weights.ts';
import { WeightsVerdict } from '../../../helpers/probes/weights.ts';
import { parseExpect, parseWeightsArgs, weightsMain } from '../../../helpers/probes/weights-cli.ts';
import { categoricalSampler, seededRng } from '../../../helpers/stats/prng.ts';

const BASE = [
  '--url',
  'http://127.0.0.1:9080/reviews/0',
  '--match',
  'reviews-v[0-9]',
  '--expect',
  'reviews-v1=90,reviews-v2=10',
];

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

function sender(seed: number, shares: Record<string, number>) {
  const draw = categoricalSampler(seededRng(seed), shares);
  return async (): Promise<RequestOutcome> => {
    const name = draw();
    return name === null ? { error: 'timeout', detail: 'no response' } : { backend: name };
  };
}

describe('parseWeightsArgs', () => {
  it('reads every option', () => {
    const args = parseWeightsArgs([
      ...BASE,
      '--max-requests',
      '2000',
      '--alpha',
      '0.01',
      '--beta',
      '0.005',
      '--delta',
      '0.1',
      '--timeout',
      '750',
    ]);
    expect(args).toMatchObject({
      expected: { 'reviews-v1': 90, 'reviews-v2': 10 },
      options: { maxRequests: 2000, alpha: 0.01, beta: 0.005, delta: 0.1 },
      timeoutMs: 750,
    });
    expect(args !== 'help' && args.url.href).toBe('http://127.0.0.1:9080/reviews/0');
  });

  it('reads --warmup and --warmup-timeout (default 60 s), and no warm-up without them', () => {
    expect(parseWeightsArgs([...BASE, '--warmup', '20', '--warmup-timeout', '45000'])).toMatchObject({
      warmup: { required: 20, timeoutMs: 45_000 },
    });
    expect(parseWeightsArgs([...BASE, '--warmup', '20'])).toMatchObject({
      warmup: { required: 20, timeoutMs: 60_000 },
    });
    const none = parseWeightsArgs(BASE);
    expect(none !== 'help' && none.warmup).toBeUndefined();
  });

  it('parses --expect strictly', () => {
    expect(parseExpect('a=1.5, b=0 ,c=3')).toEqual({ a: 1.5, b: 0, c: 3 });
    expect(() => parseExpect('a=90,b')).toThrow(/name=weight/);
    expect(() => parseExpect('a=90,,b=10')).toThrow(/name=weight/);
    expect(() => parseExpect('a=-1')).toThrow(/name=weight/);
    expect(() => parseExpect('a=1,a=2')).toThrow(/names a twice/);
    expect(() => parseExpect('a=0,b=0')).toThrow(/all weights are 0/);
  });
});

describe('weightsMain', () => {
  it.each([
    [['--match', 'x', '--expect', 'a=1'], /--url is required/],
    [['--url', 'ftp://h/', '--match', 'x', '--expect', 'a=1'], /--url must be http/],
    [['--url', 'not a url', '--match', 'x', '--expect', 'a=1'], /--url is not a URL/],
    [['--url', 'http://h/', '--match', '(', '--expect', 'a=1'], /--match is not a regular expression/],
    [['--url', 'http://h/', '--match', 'x'], /--expect is required/],
    [[...BASE, '--alpha', '0'], /--alpha must be greater than 0/],
    [[...BASE, '--beta', '0.7'], /--beta must be a number/],
    [[...BASE, '--delta', '0.6'], /--delta must be a number/],
    [[...BASE, '--max-requests', '0'], /--max-requests must be an integer/],
    [[...BASE, '--timeout', '1e3'], /--timeout must be an integer/],
    [[...BASE, '--bogus'], /Unknown option '--bogus'/],
    [[...BASE, '--warmup', '-1'], /--warmup/],
    [[...BASE, '--warmup', '2.5'], /--warmup must be an integer/],
    [[...BASE, '--warmup-timeout', '1000'], /--warmup-timeout needs --warmup N/],
    [[...BASE, '--warmup', '5', '--warmup-timeout', '0'], /--warmup-timeout must be an integer/],
  ])('exits 2 with one line on stderr and nothing on stdout for %j', async (argv, message) => {
    const { io, out, err } = capture();
    const neverCalled = async (): Promise<RequestOutcome> => {
      throw new Error('sent a request despite bad arguments');
    };
    expect(await weightsMain(argv, io, neverCalled)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]?.trimEnd()).not.toContain('\n');
  });

  it('prints help and exits 0', async () => {
    const { io, out } = capture();
    expect(await weightsMain(['--help'], io)).toBe(0);
    expect(out.join('')).toMatch(/Usage: probe weights/);
  });

  it.each([
    ['pass', 0, { 'reviews-v1': 0.9, 'reviews-v2': 0.1 }],
    ['fail', 1, { 'reviews-v1': 0.95, 'reviews-v2': 0.05 }],
    ['inconclusive', 2, { 'reviews-v1': 0.45, 'reviews-v2': 0.05 }],
  ] as const)('prints one JSON verdict (%s) and exits %i', async (verdict, code, shares) => {
    const { io, out, err } = capture();
    expect(await weightsMain(BASE, io, sender(21, shares))).toBe(code);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]?.endsWith('\n')).toBe(true);
    const parsed = WeightsVerdict.parse(JSON.parse(out[0] ?? ''));
    expect(parsed.verdict).toBe(verdict);
  });
});
