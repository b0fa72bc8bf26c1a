import { join } from 'node:path';
import type { KubeObject } from '../k8s/types.ts';
import { crdsFromYaml, loadUpstreamCrds } from '../schema/load-upstream-crds.ts';
import { type FetchText, fetchWithCache } from './fetch-cache.ts';

/**
 * The chart CRD files the suite's objects need: the five Sail kinds and AuthorizationPolicy (the other
 * Istio CRDs in the chart are not used by the suite, and fewer downloads means fewer ways to fail).
 */
export const SAIL_CHART_CRD_FILES = [
  'sailoperator.io_istios.yaml',
  'sailoperator.io_istiorevisions.yaml',
  'sailoperator.io_istiorevisiontags.yaml',
  'sailoperator.io_istiocnis.yaml',
  'sailoperator.io_ztunnels.yaml',
  'security.istio.io_authorizationpolicies.yaml',
] as const;

export interface LoadCrdsOptions {
  /** A folder laid out like `../shared/upstream`; when set nothing is fetched. */
  dir?: string;
  /** Where fetched files are kept; default `.cache/crds`. */
  cacheDir?: string;
  /** Sail operator git tag, e.g. `1.30.3` (a leading `v` is dropped). */
  operatorVersion: string;
  /** Gateway API release, e.g. `v1.6.1`. */
  gatewayApiVersion: string;
  fetch?: FetchText;
}

export function sailCrdUrl(operatorVersion: string, file: string): string {
  return `https://raw.githubusercontent.com/istio-ecosystem/sail-operator/${operatorVersion}/chart/crds/${file}`;
}

export function gatewayApiInstallUrl(gatewayApiVersion: string): string {
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${gatewayApiVersion}/standard-install.yaml`;
}

/** CRD objects for schema validation: from an upstream-layout folder, or fetched for given releases and cached. */
export async function loadCrds(options: LoadCrdsOptions): Promise<KubeObject[]> {
  if (options.dir !== undefined) return loadUpstreamCrds(options.dir);
  const operator = options.operatorVersion.replace(/^v(?=\d)/, '');
  const gatewayApi = options.gatewayApiVersion.startsWith('v')
    ? options.gatewayApiVersion
    : `v${options.gatewayApiVersion}`;
  const cacheRoot = options.cacheDir ?? join('.cache', 'crds');
  const fix = 'pass a CRD folder laid out like ../shared/upstream or run once with network access';
  const inject = options.fetch ? { fetch: options.fetch } : {};
  const sources = [
    ...SAIL_CHART_CRD_FILES.map((file) => ({
      url: sailCrdUrl(operator, file),
      cachePath: join(cacheRoot, 'sail-operator', operator, file),
    })),
    {
      url: gatewayApiInstallUrl(gatewayApi),
      cachePath: join(cacheRoot, 'gateway-api', gatewayApi, 'standard-install.yaml'),
    },
  ];
  const texts = await Promise.all(sources.map((source) => fetchWithCache({ ...source, ...inject, fix })));
  return texts.flatMap((text, index) => crdsFromYaml(text, sources[index]?.url ?? 'CRD source'));
}
