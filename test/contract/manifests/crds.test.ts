import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { loadCrds, SAIL_CHART_CRD_FILES } from '../../../helpers/mesh/crds.ts';
import {
  istio,
  productpageAuthorizationPolicy,
  reviewsRoute,
  waypoint,
  ztunnel,
} from '../../../helpers/mesh/manifests/index.ts';
import { createSchemaValidator } from '../../../helpers/schema/index.ts';
import { UPSTREAM_DIR } from '../schema/upstream.ts';
import { diskFetch, offlineFetch } from './upstream-fetch.ts';

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'aus-crds-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function kindsOf(crds: KubeObject[]): string[] {
  return crds.map((crd) => (crd.spec as { names: { kind: string } }).names.kind).sort();
}

describe('loadCrds', () => {
  it('fetches the Sail chart CRDs and the Gateway API bundle for the given releases, then works offline', async () => {
    const disk = diskFetch();
    const crds = await loadCrds({
      cacheDir,
      operatorVersion: 'v1.30.3',
      gatewayApiVersion: '1.6.1',
      fetch: disk.fetch,
    });
    expect(disk.requested).toHaveLength(SAIL_CHART_CRD_FILES.length + 1);
    expect(disk.requested).toContain(
      'https://raw.githubusercontent.com/istio-ecosystem/sail-operator/1.30.3/chart/crds/sailoperator.io_ztunnels.yaml',
    );
    expect(disk.requested).toContain(
      'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
    );
    expect(kindsOf(crds)).toEqual(
      expect.arrayContaining([
        'Istio',
        'IstioRevisionTag',
        'IstioCNI',
        'ZTunnel',
        'AuthorizationPolicy',
        'HTTPRoute',
        'Gateway',
      ]),
    );
    expect(crds.every((crd) => crd.kind === 'CustomResourceDefinition')).toBe(true);

    const offline = await loadCrds({
      cacheDir,
      operatorVersion: '1.30.3',
      gatewayApiVersion: 'v1.6.1',
      fetch: offlineFetch,
    });
    expect(kindsOf(offline)).toEqual(kindsOf(crds));

    // The fetched set is enough to validate the suite's CRD-backed objects.
    const validator = createSchemaValidator(offline);
    for (const object of [
      istio({ version: 'v1.30.3', strategy: 'RevisionBased' }),
      ztunnel({ version: 'v1.30.3', updateStrategy: 'OnDelete' }),
      waypoint({ namespace: 'bookinfo' }),
      reviewsRoute(),
      productpageAuthorizationPolicy(),
    ]) {
      expect(validator.validate(object)).toMatchObject({ ok: true, checkedBy: 'crd-schema' });
    }
  }, 120_000); // parses and compiles every CRD twice: slow on a loaded 2-core machine

  it('reads an upstream-layout folder without fetching', async () => {
    const crds = await loadCrds({
      dir: UPSTREAM_DIR,
      operatorVersion: '1.30.3',
      gatewayApiVersion: 'v1.6.1',
      fetch: offlineFetch,
    });
    expect(kindsOf(crds)).toContain('ZTunnel');
  });

  it('fails with a one-line user error when offline with no cache', async () => {
    const error = await loadCrds({
      cacheDir,
      operatorVersion: '1.30.3',
      gatewayApiVersion: 'v1.6.1',
      fetch: offlineFetch,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(/— pass a CRD folder/);
  });
});
