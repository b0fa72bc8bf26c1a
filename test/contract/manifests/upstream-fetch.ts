import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FetchText } from '../../../helpers/mesh/fetch-cache.ts';
import { parseKubeObjects } from '../../../helpers/schema/index.ts';
import { UPSTREAM_DIR } from '../schema/upstream.ts';

/** Serves the real upstream files from disk for the URLs the loaders build, counting requests. */
export interface DiskFetch {
  fetch: FetchText;
  requested: string[];
}

async function response(text: Promise<string> | undefined): Promise<Awaited<ReturnType<FetchText>>> {
  if (text === undefined) return { ok: false, status: 404, text: async () => 'Not Found' };
  const body = await text;
  return { ok: true, status: 200, text: async () => body };
}

async function gatewayStandardInstall(): Promise<string> {
  const dir = join(UPSTREAM_DIR, 'gateway-api/config/crd/standard');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.join('\n---\n');
}

async function istioChartCrd(kind: string): Promise<string> {
  const file = join(UPSTREAM_DIR, 'istio/manifests/charts/base/files/crd-all.gen.yaml');
  const crd = parseKubeObjects(await readFile(file, 'utf8'), file).find(
    (object) => (object.spec as { names?: { kind?: string } } | undefined)?.names?.kind === kind,
  );
  if (!crd) throw new Error(`no ${kind} CRD in ${file}`);
  return stringify(crd);
}

export function diskFetch(): DiskFetch {
  const requested: string[] = [];
  const fetch: FetchText = async (url) => {
    requested.push(url);
    const samples = /^https:\/\/raw\.githubusercontent\.com\/istio\/istio\/[^/]+\/samples\/(.+)$/.exec(url);
    if (samples?.[1]) return response(readFile(join(UPSTREAM_DIR, 'istio/samples', samples[1]), 'utf8'));
    const sail =
      /^https:\/\/raw\.githubusercontent\.com\/istio-ecosystem\/sail-operator\/[^/]+\/chart\/crds\/(.+)$/.exec(
        url,
      );
    if (sail?.[1]?.startsWith('sailoperator.io_')) {
      return response(readFile(join(UPSTREAM_DIR, 'sail-operator/crds', sail[1]), 'utf8'));
    }
    if (sail?.[1] === 'security.istio.io_authorizationpolicies.yaml')
      return response(istioChartCrd('AuthorizationPolicy'));
    if (
      /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/[^/]+\/standard-install\.yaml$/.test(
        url,
      )
    ) {
      return response(gatewayStandardInstall());
    }
    return response(undefined);
  };
  return { fetch, requested };
}

/** A fetch that behaves like a machine with no network. */
export const offlineFetch: FetchText = async () => {
  throw new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com');
};
