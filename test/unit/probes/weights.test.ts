import { describe, expect, it } from 'vitest';
import {
  classifyResponse,
  type RequestOutcome,
  runWeightsProbe,
  WeightsVerdict,
} from '../../../helpers/probes/weights.ts';
import { categoricalSampler, seededRng } from '../../../helpers/stats/prng.ts';

const EXPECTED = { 'reviews-v1': 90, 'reviews-v2': 10 };
const MATCH = /reviews-v[0-9]/;

/** A sender that answers from seeded draws; `null` draws become the given error. */
function seededSender(
  seed: number,
  shares: Record<string, number>,
  error: RequestOutcome = { error: 'http-status', detail: 'HTTP 503' },
) {
  const draw = categoricalSampler(seededRng(seed), shares);
  return async (): Promise<RequestOutcome> => {
    const name = draw();
    return name === null ? error : { backend: name };
  };
}

describe('classifyResponse', () => {
  const ok = (body: string) => ({ kind: 'response' as const, status: 200, body });

  it('names the backend by the first match, or by capture group 1', () => {
    expect(
      classifyResponse(ok('{"id":"0","podname":"reviews-v2-7d4b-xk2p","clustername":"null"}'), MATCH),
    ).toEqual({
      backend: 'reviews-v2',
    });
    expect(
      classifyResponse(ok('{"podname": "reviews-v3-abc-def"}'), /"podname":\s*"(reviews-v[0-9])/),
    ).toEqual({
      backend: 'reviews-v3',
    });
  });

  it('keeps no state between bodies even for a global pattern', () => {
    const global = /reviews-v[0-9]/g;
    expect(classifyResponse(ok('reviews-v1'), global)).toEqual({ backend: 'reviews-v1' });
    expect(classifyResponse(ok('reviews-v1'), global)).toEqual({ backend: 'reviews-v1' });
  });

  it('counts non-2xx, bodies without a name and socket failures as errors', () => {
    expect(classifyResponse({ kind: 'response', status: 503, body: 'no healthy upstream' }, MATCH)).toEqual({
      error: 'http-status',
      detail: "HTTP 503: 'no healthy upstream'",
    });
    expect(classifyResponse(ok('hello'), MATCH)).toMatchObject({ error: 'no-match' });
    // A 503 page that names a backend is still not an answer from it.
    expect(classifyResponse({ kind: 'response', status: 503, body: 'reviews-v1 down' }, MATCH)).toMatchObject(
      {
        error: 'http-status',
      },
    );
    expect(classifyResponse({ kind: 'failure', reason: 'timeout', detail: 'x' }, MATCH)).toEqual({
      error: 'timeout',
      detail: 'x',
    });
  });
});

describe('runWeightsProbe', () => {
  it('passes a true 90/10 split and reports counts, shares and intervals that fit the schema', async () => {
    const verdict = await runWeightsProbe(
      EXPECTED,
      {},
      seededSender(1, { 'reviews-v1': 0.9, 'reviews-v2': 0.1 }),
    );
    expect(WeightsVerdict.parse(verdict)).toEqual(verdict);
    expect(verdict.verdict).toBe('pass');
    expect(verdict.expected).toEqual({ 'reviews-v1': 0.9, 'reviews-v2': 0.1 });
    const v1 = verdict.counts['reviews-v1'] ?? 0;
    const v2 = verdict.counts['reviews-v2'] ?? 0;
    expect(v1 + v2 + verdict.errors).toBe(verdict.requests);
    const interval = verdict.interval['reviews-v1'];
    expect(interval?.share).toBeCloseTo(v1 / (v1 + v2), 12);
    expect(interval && interval.low < 0.9 && 0.9 < interval.high).toBe(true);
    expect(verdict.settings).toMatchObject({ alpha: 0.001, beta: 0.001, delta: 0.05, maxRequests: 5000 });
  });

  it('fails an 85/15 split', async () => {
    const verdict = await runWeightsProbe(
      EXPECTED,
      {},
      seededSender(2, { 'reviews-v1': 0.85, 'reviews-v2': 0.15 }),
    );
    expect(verdict.verdict).toBe('fail');
    expect(verdict.reason).toMatch(/rejected in favour of p = 0.850/);
  });

  it('fails at the first answer from an unexpected backend and counts it', async () => {
    let sent = 0;
    const verdict = await runWeightsProbe(EXPECTED, {}, async () => {
      sent += 1;
      return { backend: sent === 4 ? 'reviews-v3' : 'reviews-v1' };
    });
    expect(verdict).toMatchObject({
      verdict: 'fail',
      requests: 4,
      counts: { 'reviews-v1': 3, 'reviews-v3': 1 },
    });
    expect(sent).toBe(4);
  });

  it('is inconclusive with errors above the bound, keeping kinds and the first error as evidence', async () => {
    const verdict = await runWeightsProbe(
      EXPECTED,
      {},
      seededSender(
        3,
        { 'reviews-v1': 0.81, 'reviews-v2': 0.09 },
        { error: 'reset', detail: 'ECONNRESET: socket hang up' },
      ),
    );
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.errors).toBe(6);
    expect(verdict.errorKinds).toEqual({ reset: 6 });
    expect(verdict.firstError).toBe('reset: ECONNRESET: socket hang up');
  });

  it('stops at max-requests as inconclusive', async () => {
    let sent = 0;
    const send = seededSender(4, { 'reviews-v1': 0.9, 'reviews-v2': 0.1 });
    const verdict = await runWeightsProbe(EXPECTED, { maxRequests: 40 }, () => {
      sent += 1;
      return send();
    });
    expect(verdict).toMatchObject({ verdict: 'inconclusive', requests: 40 });
    expect(sent).toBe(40);
  });
});

describe('runWeightsProbe with a warm-up', () => {
  const TRUE_SPLIT = { 'reviews-v1': 0.9, 'reviews-v2': 0.1 };

  /** Answers `before` first (a route not yet converged), then the seeded true split. */
  function converging(before: RequestOutcome[], seed = 5) {
    const after = seededSender(seed, TRUE_SPLIT);
    let sent = 0;
    const send = async (): Promise<RequestOutcome> => {
      sent += 1;
      return before[sent - 1] ?? after();
    };
    return { send, sent: () => sent };
  }

  it('reports answers from before convergence without judging them, then passes the true split', async () => {
    const before: RequestOutcome[] = [
      ...Array.from({ length: 12 }, () => ({ backend: 'reviews-v3' })),
      { error: 'http-status', detail: 'HTTP 503' },
      ...Array.from({ length: 5 }, () => ({ backend: 'reviews-v1' })),
      { backend: 'reviews-v3' },
    ];
    const { send, sent } = converging(before);
    const verdict = await runWeightsProbe(EXPECTED, {}, send, { required: 20, timeoutMs: 60_000 });
    expect(WeightsVerdict.parse(verdict)).toEqual(verdict);
    expect(verdict.verdict).toBe('pass');
    // reviews-v3 answered during the warm-up: reported there, absent from the judged counts.
    expect(verdict.counts['reviews-v3']).toBeUndefined();
    expect(verdict.warmup).toMatchObject({
      required: 20,
      reached: true,
      errors: 1,
      errorKinds: { 'http-status': 1 },
    });
    expect(verdict.warmup?.counts['reviews-v3']).toBe(13);
    expect(verdict.warmup?.longestRun).toBe(20);
    expect((verdict.warmup?.requests ?? 0) + verdict.requests).toBe(sent());
  });

  it('restarts the run on an error or a weight-0 backend', async () => {
    const good = (n: number): RequestOutcome[] =>
      Array.from({ length: n }, () => ({ backend: 'reviews-v1' }));
    const { send } = converging([
      ...good(19),
      { backend: 'reviews-v0' },
      ...good(19),
      { error: 'timeout', detail: 'x' },
    ]);
    const verdict = await runWeightsProbe({ 'reviews-v1': 90, 'reviews-v2': 10, 'reviews-v0': 0 }, {}, send, {
      required: 20,
      timeoutMs: 60_000,
    });
    expect(verdict.warmup).toMatchObject({ reached: true, requests: 60, longestRun: 20 });
    expect(verdict.warmup?.counts).toMatchObject({ 'reviews-v0': 1 });
  });

  it('is inconclusive naming what answered when the warm-up is not reached in time', async () => {
    let clock = 0;
    let sent = 0;
    const verdict = await runWeightsProbe(
      EXPECTED,
      {},
      async () => {
        sent += 1;
        clock += 100;
        return sent % 3 === 0
          ? { error: 'http-status', detail: 'HTTP 503' }
          : { backend: sent % 2 ? 'reviews-v3' : 'reviews-v1' };
      },
      { required: 20, timeoutMs: 5000, now: () => clock },
    );
    expect(WeightsVerdict.parse(verdict)).toEqual(verdict);
    expect(verdict).toMatchObject({ verdict: 'inconclusive', requests: 0, counts: {} });
    expect(verdict.warmup).toMatchObject({ reached: false, requests: 50, elapsedMs: 5000 });
    expect(verdict.reason).toMatch(/warm-up not reached: 20 consecutive answers from reviews-v1\/reviews-v2/);
    expect(verdict.reason).toMatch(/reviews-v3 ×\d+ \(not expected\)/);
    expect(verdict.reason).toMatch(/http-status ×16/);
  });

  it('still fails at once on an unlisted backend after the warm-up', async () => {
    const good = Array.from({ length: 20 }, (): RequestOutcome => ({ backend: 'reviews-v1' }));
    const { send, sent } = converging([...good, { backend: 'reviews-v1' }, { backend: 'reviews-v3' }]);
    const verdict = await runWeightsProbe(EXPECTED, {}, send, { required: 20, timeoutMs: 60_000 });
    expect(verdict).toMatchObject({ verdict: 'fail', requests: 2, counts: { 'reviews-v3': 1 } });
    expect(verdict.reason).toMatch(/reviews-v3 is not an expected backend/);
    expect(sent()).toBe(22);
  });

  it('skips the warm-up with required 0 and reports none', async () => {
    const verdict = await runWeightsProbe(EXPECTED, {}, seededSender(1, TRUE_SPLIT), {
      required: 0,
      timeoutMs: 1,
    });
    expect(verdict.warmup).toBeUndefined();
    expect(verdict.verdict).toBe('pass');
  });
});
