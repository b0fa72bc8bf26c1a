import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { istio, reviewsRoute, ztunnel } from '../../../helpers/mesh/manifests/index.ts';
import { parseKubeObjects, type SchemaValidator } from '../../../helpers/schema/index.ts';
import { UPSTREAM_DIR, upstreamValidator } from './upstream.ts';

let validator: SchemaValidator;
beforeAll(async () => {
  validator = await upstreamValidator();
});

function errorsOf(object: KubeObject): string[] {
  const result = validator.validate(object);
  return result.ok ? [] : result.errors;
}

/** A deep copy to mutate in a negative test. */
function copy(object: KubeObject): KubeObject & { spec: Record<string, unknown> } {
  return structuredClone(object) as KubeObject & { spec: Record<string, unknown> };
}

async function upstreamObjects(path: string): Promise<KubeObject[]> {
  const file = join(UPSTREAM_DIR, path);
  return parseKubeObjects(await readFile(file, 'utf8'), file);
}

describe('unknown fields are rejected', () => {
  it('names a misspelled ZTunnel value with its full path', () => {
    const object = copy(ztunnel({ version: 'v1.30.3' }));
    object.spec.values = { ztunnel: { terminationGracePeriodSecond: 30 } };
    expect(errorsOf(object)).toEqual([
      'ZTunnel default: /spec/values/ztunnel/terminationGracePeriodSecond: unknown field',
    ]);
  });

  it('rejects an extra field in an HTTPRoute backendRef', () => {
    const object = copy(reviewsRoute());
    const rule = (object.spec.rules as { backendRefs: Record<string, unknown>[] }[])[0];
    if (rule?.backendRefs[0]) rule.backendRefs[0].weigth = 5;
    expect(errorsOf(object)).toContain(
      'HTTPRoute bookinfo/reviews: /spec/rules/0/backendRefs/0/weigth: unknown field',
    );
  });

  it('rejects an unknown top-level field', () => {
    const object = { ...istio({ version: 'v1.30.3', strategy: 'InPlace' }), specs: {} };
    expect(errorsOf(object)).toEqual(['Istio default: /specs: unknown field']);
  });

  it('accepts anything under x-kubernetes-preserve-unknown-fields (Istio values.experimental)', () => {
    const object = copy(istio({ version: 'v1.30.3', strategy: 'InPlace' }));
    object.spec.values = { experimental: { anything: { nested: 1 } } };
    expect(errorsOf(object)).toEqual([]);
  });

  it('accepts free-form maps the schema declares (additionalProperties)', () => {
    const object = copy(istio({ version: 'v1.30.3', strategy: 'InPlace' }));
    object.spec.values = {
      pilot: { trustedZtunnelNamespace: 'ztunnel' },
      meshConfig: { defaultConfig: { proxyMetadata: { ANY: 'x' } } },
    };
    expect(errorsOf(object)).toEqual([]);
  });
});

describe('enums, types and ranges', () => {
  it('rejects a wrong Istio updateStrategy.type', () => {
    const object = copy(istio({ version: 'v1.30.3', strategy: 'InPlace' }));
    object.spec.updateStrategy = { type: 'Canary' };
    expect(errorsOf(object)).toEqual([
      'Istio default: /spec/updateStrategy/type: must be one of InPlace, RevisionBased',
    ]);
  });

  it('rejects a version missing from the CRD enum', () => {
    const errors = errorsOf(istio({ version: 'v1.30.99', strategy: 'InPlace' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Istio default: \/spec\/version: must be one of /);
  });

  it('rejects a negative grace period and a string where an integer belongs', () => {
    expect(errorsOf(ztunnel({ version: 'v1.30.3', terminationGracePeriodSeconds: -1 }))[0]).toMatch(
      /\/spec\/values\/ztunnel\/terminationGracePeriodSeconds: must be >= 0/,
    );
    const object = copy(reviewsRoute());
    (object.spec.parentRefs as Record<string, unknown>[])[0] = {
      group: '',
      kind: 'Service',
      name: 'reviews',
      port: '9080',
    };
    expect(errorsOf(object).join('\n')).toMatch(/\/spec\/parentRefs\/0\/port: must be integer/);
  });

  it('accepts int-or-string values both ways in ZTunnel rollingUpdate', () => {
    for (const maxUnavailable of [0, '10%']) {
      const object = copy(ztunnel({ version: 'v1.30.3' }));
      object.spec.values = {
        ztunnel: {
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable } },
        },
      };
      expect(errorsOf(object)).toEqual([]);
    }
    const bad = copy(ztunnel({ version: 'v1.30.3' }));
    bad.spec.values = { ztunnel: { updateStrategy: { rollingUpdate: { maxSurge: true } } } };
    expect(errorsOf(bad).length).toBeGreaterThan(0);
  });
});

describe('metadata and kinds', () => {
  it('requires a namespace on namespaced kinds and refuses one on cluster-scoped kinds', () => {
    const route = reviewsRoute();
    const { namespace: _dropped, ...metadata } = route.metadata;
    expect(errorsOf({ ...route, metadata })).toContain(
      'HTTPRoute reviews: /metadata/namespace: required for a namespaced kind',
    );
    const mesh = istio({ version: 'v1.30.3', strategy: 'InPlace' });
    expect(errorsOf({ ...mesh, metadata: { ...mesh.metadata, namespace: 'istio-system' } })).toContain(
      'Istio istio-system/default: /metadata/namespace: must be absent for a cluster-scoped kind',
    );
  });

  it('rejects an invalid name', () => {
    const route = reviewsRoute();
    expect(errorsOf({ ...route, metadata: { ...route.metadata, name: 'Reviews_1' } })[0]).toMatch(
      /not a DNS subdomain/,
    );
  });

  it('rejects a kind no CRD serves, and a version the CRD does not serve', () => {
    expect(errorsOf({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0]).toMatch(
      /^Widget w: no CRD serves example.com\/v1 Widget — /,
    );
    expect(
      errorsOf({
        apiVersion: 'gateway.networking.k8s.io/v1alpha2',
        kind: 'HTTPRoute',
        metadata: { name: 'r', namespace: 'n' },
      })[0],
    ).toMatch(/served: gateway.networking.k8s.io\/v1\/HTTPRoute/);
  });

  it('lists the kinds it can check, CRD-backed and core', () => {
    expect(validator.kinds()).toEqual(
      expect.arrayContaining([
        'sailoperator.io/v1/ZTunnel',
        'gateway.networking.k8s.io/v1/HTTPRoute',
        'apps/v1/Deployment',
        'v1/Namespace',
      ]),
    );
    expect(validator.kinds()).not.toContain('gateway.networking.k8s.io/v1alpha2/TCPRoute');
  });
});

describe('CEL rules evaluated by the library', () => {
  it('requires the ZTunnel and IstioCNI name default', () => {
    const object = ztunnel({ version: 'v1.30.3' });
    expect(errorsOf({ ...object, metadata: { ...object.metadata, name: 'other' } })).toEqual([
      "ZTunnel other: /: metadata.name must be 'default'",
    ]);
  });

  it('requires a port on a Service backendRef', () => {
    const object = copy(reviewsRoute());
    object.spec.rules = [{ backendRefs: [{ name: 'reviews-v1', weight: 1 }] }];
    expect(errorsOf(object)).toEqual([
      'HTTPRoute bookinfo/reviews: /spec/rules/0/backendRefs/0: Must have port for Service reference',
    ]);
  });

  it('requires Istio values.global.istioNamespace to match spec.namespace', () => {
    const object = copy(istio({ version: 'v1.30.3', strategy: 'InPlace' }));
    object.spec.values = { global: { istioNamespace: 'elsewhere' } };
    expect(errorsOf(object)).toHaveLength(1);
    object.spec.values = { global: { istioNamespace: 'istio-system' } };
    expect(errorsOf(object)).toEqual([]);
  });
});

describe('core kinds', () => {
  it('are checked by zod and say so', () => {
    const result = validator.validate({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'n' },
      data: { a: 'b' },
    });
    expect(result).toEqual({ ok: true, checkedBy: 'core-zod', celNotChecked: [] });
  });

  it('catch a Deployment whose selector does not match its pod labels, and a bad Service port', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'n' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    expect(errorsOf(deployment)).toEqual([
      'Deployment n/d: /spec/selector/matchLabels: selector.matchLabels must match template.metadata.labels',
    ]);
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { ports: [{ port: 0 }] },
    };
    expect(errorsOf(service)[0]).toMatch(/^Service n\/s: \/spec\/ports\/0\/port: /);
  });
});

describe('PodDisruptionBudget (core zod)', () => {
  it('accepts minAvailable and rejects both bounds at once', () => {
    const pdb = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p', namespace: 'n' },
      spec: { selector: { matchLabels: { app: 'a' } }, ...spec },
    });
    expect(errorsOf(pdb({ minAvailable: 1 }))).toEqual([]);
    expect(errorsOf(pdb({ minAvailable: 1, maxUnavailable: '50%' }))).toEqual([
      'PodDisruptionBudget n/p: /spec: set minAvailable or maxUnavailable, not both',
    ]);
  });
});

describe('upstream objects validate', () => {
  const files = [
    'istio/samples/bookinfo/platform/kube/bookinfo.yaml',
    'istio/samples/bookinfo/platform/kube/bookinfo-versions.yaml',
    'istio/samples/curl/curl.yaml',
    'sail-operator/samples/ambient/istio-sample.yaml',
    'sail-operator/samples/ambient/istiocni-sample.yaml',
    'sail-operator/samples/ambient/istioztunnel-sample.yaml',
    'sail-operator/samples/istio-sample-revisionbased.yaml',
    'gateway-api/conformance/tests/httproute-weight.yaml',
    'gateway-api/conformance/tests/mesh/httproute-weight.yaml',
  ];
  it.each(files)('%s', async (path) => {
    const objects = await upstreamObjects(path);
    expect(objects.length).toBeGreaterThan(0);
    // Upstream samples carry no namespace (kubectl -n supplies it); give namespaced ones one.
    const placed = objects.map((object) =>
      object.apiVersion.startsWith('sailoperator.io/')
        ? object
        : { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? 'samples' } },
    );
    const errors = placed.flatMap(errorsOf);
    expect(errors).toEqual([]);
  });
});
