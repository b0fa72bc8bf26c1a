import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Of } from '../../../helpers/mesh/fetch-cache.ts';
import { githubRawUrl, type PinnedFile, resolvePinnedFiles } from '../../../helpers/upstream/pinned-files.ts';
import { PINNED_UPSTREAM } from '../../support/upstream-files.ts';

const FIX = 'the fix';
const CRD = 'kind: CustomResourceDefinition\n';
const SAMPLE = 'kind: Service\n';

function pinned(folder: string, path: string, text: string): PinnedFile {
  return {
    folder,
    path,
    repo: 'owner/repo',
    commit: 'c'.repeat(40),
    source: `up/${path}`,
    sha256: sha256Of(text),
  };
}

const FILES = [
  pinned('sail-operator', 'crds/a.yaml', CRD),
  pinned('istio', 'samples/curl/curl.yaml', SAMPLE),
];

// A static server on loopback laid out like ../shared/upstream; `served` says what each path returns.
let served: Map<string, string>;
let requests: string[];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = served.get(request.url ?? '');
    response.writeHead(body === undefined ? 404 : 200).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  served = new Map([
    ['/mirror/sail-operator/crds/a.yaml', CRD],
    ['/mirror/istio/samples/curl/curl.yaml', SAMPLE],
  ]);
  requests = [];
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'aus-pinned-'));
}

describe('resolvePinnedFiles from a mirror on 127.0.0.1', () => {
  it('downloads every file into the cache in the upstream layout, then serves later runs from it', async () => {
    const cacheDir = await tempDir();
    const first = await resolvePinnedFiles(FILES, { cacheDir, mirrorUrl: `${base}/` }, FIX);
    expect(first).toEqual({ dir: cacheDir, origin: 'mirror' });
    expect(await readFile(join(cacheDir, 'sail-operator/crds/a.yaml'), 'utf8')).toBe(CRD);
    expect(requests.sort()).toEqual([
      '/mirror/istio/samples/curl/curl.yaml',
      '/mirror/sail-operator/crds/a.yaml',
    ]);

    requests = [];
    expect(await resolvePinnedFiles(FILES, { cacheDir, mirrorUrl: base }, FIX)).toEqual({
      dir: cacheDir,
      origin: 'cache',
    });
    expect(requests).toEqual([]);
  });

  it('refuses a file whose bytes differ from the pinned sha256 and caches nothing for it', async () => {
    const cacheDir = await tempDir();
    served.set('/mirror/istio/samples/curl/curl.yaml', 'kind: Tampered\n');
    const attempt = resolvePinnedFiles(FILES, { cacheDir, mirrorUrl: base }, FIX);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^cannot get 1 of 2 pinned upstream files from ${base} \\(first: ${base}/istio/samples/curl/curl.yaml: sha256 ${sha256Of('kind: Tampered\n')}, pinned ${FILES[1]?.sha256}\\) — the fix$`,
      ),
    );
    await expect(readFile(join(cacheDir, 'istio/samples/curl/curl.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('fetches again over a cached copy that no longer matches its digest', async () => {
    const cacheDir = await tempDir();
    await mkdir(join(cacheDir, 'istio/samples/curl'), { recursive: true });
    await writeFile(join(cacheDir, 'istio/samples/curl/curl.yaml'), 'stale\n');
    await resolvePinnedFiles(FILES, { cacheDir, mirrorUrl: base }, FIX);
    expect(await readFile(join(cacheDir, 'istio/samples/curl/curl.yaml'), 'utf8')).toBe(SAMPLE);
  });

  it('names the missing file and the HTTP status when the mirror lacks one', async () => {
    served.delete('/mirror/sail-operator/crds/a.yaml');
    await expect(
      resolvePinnedFiles(FILES, { cacheDir: await tempDir(), mirrorUrl: base }, FIX),
    ).rejects.toThrow(`(first: ${base}/sail-operator/crds/a.yaml: HTTP 404) — the fix`);
  });

  it('fails at once, in one line, when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await resolvePinnedFiles(
      FILES,
      { cacheDir: await tempDir(), mirrorUrl: `http://127.0.0.1:${port}` },
      FIX,
    ).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^cannot get 2 of 2 pinned upstream files .*ECONNREFUSED\) — the fix$/,
    );
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('resolvePinnedFiles from a local folder', () => {
  async function localCopy(overrides: Record<string, string> = {}): Promise<string> {
    const dir = await tempDir();
    for (const [path, text] of Object.entries({
      'sail-operator/crds/a.yaml': CRD,
      'istio/samples/curl/curl.yaml': SAMPLE,
      ...overrides,
    })) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }

  it('uses the folder as it is, without any request', async () => {
    const localDir = await localCopy();
    expect(
      await resolvePinnedFiles(FILES, { localDir, cacheDir: await tempDir(), mirrorUrl: base }, FIX),
    ).toEqual({
      dir: localDir,
      origin: 'local folder',
    });
    expect(requests).toEqual([]);
  });

  it('refuses a folder whose copy differs from the pinned digest', async () => {
    const localDir = await localCopy({ 'sail-operator/crds/a.yaml': 'changed\n' });
    await expect(resolvePinnedFiles(FILES, { localDir, cacheDir: await tempDir() }, FIX)).rejects.toThrow(
      `${localDir} does not hold the pinned upstream files (1: sail-operator/crds/a.yaml differs)`,
    );
  });

  it('falls back to the mirror when the folder does not exist', async () => {
    const result = await resolvePinnedFiles(
      FILES,
      { localDir: '/nonexistent-upstream', cacheDir: await tempDir(), mirrorUrl: base },
      FIX,
    );
    expect(result.origin).toBe('mirror');
  });
});

describe('the pinned list', () => {
  it('downloads from GitHub at the pinned commit, not a branch', () => {
    expect(githubRawUrl(FILES[0] as PinnedFile)).toBe(
      `https://raw.githubusercontent.com/owner/repo/${'c'.repeat(40)}/up/crds/a.yaml`,
    );
  });

  it('pins every file by a full commit id and a sha256', () => {
    expect(PINNED_UPSTREAM.length).toBeGreaterThan(30);
    for (const file of PINNED_UPSTREAM) {
      expect(file.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(file.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    }
  });
});
