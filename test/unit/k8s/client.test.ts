import { ApiException } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import { apiStatusOf, describeApiError, networkErrorCode } from '../../../helpers/k8s/api-error.ts';
import { connect, describeCluster } from '../../../helpers/k8s/client.ts';
import { redact } from '../../../helpers/k8s/redact.ts';
import { retryDelayMs, retryReason } from '../../../helpers/k8s/retry.ts';
import { FakeApiServer, fakeToken } from '../../support/fake-apiserver.ts';

describe('connect', () => {
  let fake: FakeApiServer;
  beforeEach(async () => {
    fake = await FakeApiServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('refuses to guess a kubeconfig', () => {
    expect(() => connect({})).toThrow(UserError);
  });

  it('names the known contexts when the context is unknown (fake API server)', () => {
    expect(() => connect({ kubeconfigPath: fake.kubeconfigPath, context: 'prod' })).toThrow(
      'context "prod" not found in the kubeconfig — use one of: fake',
    );
  });

  it('says which file could not be loaded', () => {
    expect(() => connect({ kubeconfigPath: '/nonexistent/kubeconfig' })).toThrow(
      /^cannot load kubeconfig \/nonexistent\/kubeconfig: .* — check the file$/,
    );
  });

  it('describes the cluster without credentials (fake API server)', () => {
    const kube = connect({ kubeconfigYaml: fake.kubeconfig('kind-aus') });
    const description = describeCluster(kube);
    expect(description).toEqual({
      context: 'kind-aus',
      cluster: 'fake-cluster',
      server: new URL(fake.url).host,
      user: 'fake-user',
    });
    expect(JSON.stringify(description)).not.toContain(fakeToken);
  });

  it('sends the bearer token but never puts it in an error message (fake API server)', async () => {
    const kube = connect({ kubeconfigPath: fake.kubeconfigPath });
    fake.fail({ status: 403, reason: 'Forbidden', message: 'nodes is forbidden' });
    const error = await kube.core.listNode().catch((e: unknown) => e);
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${fakeToken}`);
    expect(describeApiError(error)).toBe('HTTP 403 Forbidden: nodes is forbidden');
  });
});

describe('redact', () => {
  it('removes bearer tokens, token fields and private keys', () => {
    const text = redact(
      'Authorization: Bearer abc.def {"token":"s3cr3t"} client-key-data: QUJD -----BEGIN RSA PRIVATE KEY-----\nxyz\n-----END RSA PRIVATE KEY-----',
    );
    expect(text).not.toMatch(/abc\.def|s3cr3t|QUJD|xyz/);
  });
});

describe('api errors and retry classification', () => {
  const exception = (code: number, body: unknown, headers: Record<string, string> = {}) =>
    new ApiException(
      code,
      'Unsuccessful HTTP Request',
      typeof body === 'string' ? body : JSON.stringify(body),
      headers,
    );

  it('parses a Status body given as a JSON string, with Retry-After', () => {
    const status = apiStatusOf(
      exception(
        429,
        { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' },
        { 'retry-after': '7' },
      ),
    );
    expect(status).toEqual({
      code: 429,
      reason: 'TooManyRequests',
      message: 'slow down',
      causes: [],
      retryAfterSeconds: 7,
    });
  });

  it('classifies 409 (only when asked), 429, 5xx and resets as transient and other 4xx as final', () => {
    expect(retryReason(exception(409, {}), true)).toBe('conflict');
    expect(retryReason(exception(409, {}), false)).toBeUndefined();
    expect(retryReason(exception(429, {}), false)).toBe('throttled');
    expect(retryReason(exception(502, 'Bad Gateway'), false)).toBe('server error');
    expect(retryReason(exception(422, {}), true)).toBeUndefined();
    expect(retryReason(exception(404, {}), true)).toBeUndefined();
    const reset = Object.assign(new Error('request failed, reason: read ECONNRESET'), { code: 'ECONNRESET' });
    expect(networkErrorCode(new Error('wrapped', { cause: reset }))).toBe('ECONNRESET');
    expect(retryReason(reset, false)).toBe('connection failure');
  });

  it('backs off exponentially with a cap, and prefers a capped Retry-After', () => {
    const plain = exception(500, {});
    expect([1, 2, 3, 10].map((n) => retryDelayMs(plain, n))).toEqual([250, 500, 1_000, 8_000]);
    expect(retryDelayMs(exception(429, {}, { 'Retry-After': '2' }), 1)).toBe(2_000);
    expect(retryDelayMs(exception(429, {}, { 'Retry-After': '600' }), 1)).toBe(30_000);
  });
});
