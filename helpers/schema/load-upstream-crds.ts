import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import type { KubeObject } from '../k8s/types.ts';
import { parseKubeObjects } from './kube-object.ts';

/** Where CRDs live under a directory laid out like `../shared/upstream` (relative to `dir`). */
export const UPSTREAM_CRD_LOCATIONS = {
  sail: 'sail-operator/crds',
  istio: 'istio/manifests/charts/base/files/crd-all.gen.yaml',
  gatewayApi: 'gateway-api/config/crd/standard',
} as const;

export function isCrd(object: KubeObject): boolean {
  return object.apiVersion === 'apiextensions.k8s.io/v1' && object.kind === 'CustomResourceDefinition';
}

/** CRD objects in YAML text; other documents (the Gateway API ValidatingAdmissionPolicy) are skipped. */
export function crdsFromYaml(text: string, source: string): KubeObject[] {
  return parseKubeObjects(text, source).filter(isCrd);
}

async function yamlFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => join(dir, name));
}

/** Reads every CRD (Sail, Istio, Gateway API standard channel) under an upstream-layout directory. */
export async function loadUpstreamCrds(dir: string): Promise<KubeObject[]> {
  let files: string[];
  try {
    files = [
      ...(await yamlFilesIn(join(dir, UPSTREAM_CRD_LOCATIONS.sail))),
      join(dir, UPSTREAM_CRD_LOCATIONS.istio),
      ...(await yamlFilesIn(join(dir, UPSTREAM_CRD_LOCATIONS.gatewayApi))),
    ];
  } catch (error) {
    throw new UserError(
      `no CRD folders under ${dir} (${String(error)}) — point it at a folder laid out like ../shared/upstream`,
      { cause: error },
    );
  }
  const crds: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UserError(
        `cannot read ${file} — point the CRD folder at a copy laid out like ../shared/upstream`,
        {
          cause: error,
        },
      );
    }
    crds.push(...crdsFromYaml(text, file));
  }
  return crds;
}
