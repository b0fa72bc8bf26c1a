import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import type { KubeObject } from '../k8s/types.ts';
import { parseKubeObjects } from '../schema/kube-object.ts';
import { type FetchText, fetchWithCache } from './fetch-cache.ts';

/** Sample files, relative to istio's `samples/` folder (the `--manifests-dir` layout). */
export const SAMPLE_FILES = {
  bookinfo: 'bookinfo/platform/kube/bookinfo.yaml',
  bookinfoVersions: 'bookinfo/platform/kube/bookinfo-versions.yaml',
  curl: 'curl/curl.yaml',
} as const;

export type SampleName = keyof typeof SAMPLE_FILES;
export type Samples = Record<SampleName, KubeObject[]>;

export interface LoadSamplesOptions {
  /** A folder laid out like istio's `samples/`; when set nothing is fetched. */
  manifestsDir?: string;
  /** Where fetched files are kept; default `.cache/samples`. */
  cacheDir?: string;
  fetch?: FetchText;
}

/**
 * The Istio branch whose samples match a version: `v1.30.3`, `1.30.3` and `v1.30-latest` give
 * `release-1.30`; `master` gives `master`.
 */
export function samplesBranch(version: string): string {
  if (version === 'master') return 'master';
  const match = /^v?(\d+)\.(\d+)(?:[.-]|$)/.exec(version);
  if (!match) {
    throw new UserError(
      `cannot tell the Istio release of version "${version}" — use a form like v1.30.3 or v1.30-latest`,
    );
  }
  return `release-${match[1]}.${match[2]}`;
}

export function sampleUrl(branch: string, file: string): string {
  return `https://raw.githubusercontent.com/istio/istio/${branch}/samples/${file}`;
}

/** bookinfo, bookinfo-versions and curl for the Istio release of `version`, from a folder or fetched and cached. */
export async function loadSamples(version: string, options: LoadSamplesOptions = {}): Promise<Samples> {
  const branch = samplesBranch(version);
  const cacheRoot = join(options.cacheDir ?? join('.cache', 'samples'), branch.replace(/^release-/, ''));
  const read = async (file: string): Promise<KubeObject[]> => {
    if (options.manifestsDir !== undefined) {
      const path = join(options.manifestsDir, file);
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        throw new UserError(
          `${path} not found — --manifests-dir must be laid out like istio's samples/ (bookinfo/platform/kube/…, curl/curl.yaml)`,
          { cause: error },
        );
      });
      return parseKubeObjects(text, path);
    }
    const url = sampleUrl(branch, file);
    const text = await fetchWithCache({
      url,
      cachePath: join(cacheRoot, file),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      fix: "pass --manifests-dir <folder laid out like istio's samples/> or run once with network access",
    });
    return parseKubeObjects(text, url);
  };
  const [bookinfo, bookinfoVersions, curl] = await Promise.all([
    read(SAMPLE_FILES.bookinfo),
    read(SAMPLE_FILES.bookinfoVersions),
    read(SAMPLE_FILES.curl),
  ]);
  return { bookinfo, bookinfoVersions, curl };
}
