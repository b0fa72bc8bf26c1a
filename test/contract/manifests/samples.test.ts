import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { loadSamples, samplesBranch } from '../../../helpers/mesh/samples.ts';
import { UPSTREAM_DIR } from '../schema/upstream.ts';
import { diskFetch, offlineFetch } from './upstream-fetch.ts';

const manifestsDir = join(UPSTREAM_DIR, 'istio/samples');
let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'aus-samples-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function names(objects: KubeObject[], kind: string): string[] {
  return objects.filter((object) => object.kind === kind).map((object) => object.metadata.name);
}

describe('samplesBranch', () => {
  it.each([
    ['v1.30.3', 'release-1.30'],
    ['1.29.6', 'release-1.29'],
    ['v1.30-latest', 'release-1.30'],
    ['v1.31.0-beta.1', 'release-1.31'],
    ['master', 'master'],
  ])('%s → %s', (version, branch) => {
    expect(samplesBranch(version)).toBe(branch);
  });

  it('rejects a version it cannot place', () => {
    expect(() => samplesBranch('latest')).toThrow(UserError);
  });
});

describe('loadSamples from --manifests-dir', () => {
  it('parses the real bookinfo, bookinfo-versions and curl files', async () => {
    const samples = await loadSamples('v1.30.3', { manifestsDir, fetch: offlineFetch });
    expect(names(samples.bookinfoVersions, 'Service')).toEqual(
      expect.arrayContaining(['reviews-v1', 'reviews-v2', 'reviews-v3']),
    );
    expect(names(samples.curl, 'ServiceAccount')).toEqual(['curl']);
    expect(names(samples.bookinfo, 'Service')).toEqual(
      expect.arrayContaining(['productpage', 'reviews', 'ratings', 'details']),
    );
    expect(names(samples.bookinfo, 'Deployment')).toEqual(
      expect.arrayContaining(['reviews-v1', 'reviews-v2', 'reviews-v3']),
    );
    // Comment-only and empty documents are dropped, not returned as nulls.
    expect(
      [...samples.bookinfo, ...samples.bookinfoVersions, ...samples.curl].every(
        (object) => object.kind.length > 0,
      ),
    ).toBe(true);
  });

  it('names the flag when a file is missing', async () => {
    const error = await loadSamples('v1.30.3', { manifestsDir: cacheDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/--manifests-dir must be laid out like/);
  });
});

describe('loadSamples fetched and cached', () => {
  it('fetches the release branch files once, then works offline from the cache', async () => {
    const disk = diskFetch();
    const online = await loadSamples('v1.30.3', { cacheDir, fetch: disk.fetch });
    expect(disk.requested.sort()).toEqual([
      'https://raw.githubusercontent.com/istio/istio/release-1.30/samples/bookinfo/platform/kube/bookinfo-versions.yaml',
      'https://raw.githubusercontent.com/istio/istio/release-1.30/samples/bookinfo/platform/kube/bookinfo.yaml',
      'https://raw.githubusercontent.com/istio/istio/release-1.30/samples/curl/curl.yaml',
    ]);
    const cached = await readFile(join(cacheDir, '1.30/curl/curl.yaml'), 'utf8');
    expect(cached).toBe(await readFile(join(manifestsDir, 'curl/curl.yaml'), 'utf8'));

    const offline = await loadSamples('v1.30.1', { cacheDir, fetch: offlineFetch });
    expect(offline).toEqual(online);
    expect(names(offline.bookinfoVersions, 'Service')).toContain('reviews-v3');
  });

  it('keeps minors apart in the cache', async () => {
    await loadSamples('v1.30.3', { cacheDir, fetch: diskFetch().fetch });
    await expect(loadSamples('v1.29.6', { cacheDir, fetch: offlineFetch })).rejects.toThrow(/release-1\.29/);
  });

  it('fails with one line naming --manifests-dir when offline with no cache', async () => {
    const error = await loadSamples('v1.30.3', { cacheDir, fetch: offlineFetch }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^cannot fetch https:\/\/raw\.githubusercontent\.com\/istio\/istio\/release-1\.30\/samples\/.* — pass --manifests-dir/,
    );
    expect(message).toContain('ENOTFOUND');
  });

  it('treats an HTTP error as a failed fetch and caches nothing', async () => {
    const error = await loadSamples('v1.30.3', {
      cacheDir,
      fetch: async () => ({ ok: false, status: 404, text: async () => '404: Not Found' }),
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/\(HTTP 404\)/);
    await expect(loadSamples('v1.30.3', { cacheDir, fetch: offlineFetch })).rejects.toThrow(UserError);
  });
});
