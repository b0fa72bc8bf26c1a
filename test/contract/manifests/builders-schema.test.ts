import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import {
  ambientNamespace,
  echoServer,
  istio,
  istioCni,
  istioRevisionTag,
  meshNamespaces,
  probeBundleConfigMap,
  probeClient,
  productpageAuthorizationPolicy,
  reviewsRoute,
  waypoint,
  ztunnel,
} from '../../../helpers/mesh/manifests/index.ts';
import type { SchemaValidator } from '../../../helpers/schema/index.ts';
import { upstreamValidator } from '../schema/upstream.ts';

let validator: SchemaValidator;
beforeAll(async () => {
  validator = await upstreamValidator();
});

const runId = 'run-20260823-1';

const cases: [string, () => KubeObject[]][] = [
  ['istio InPlace', () => [istio({ version: 'v1.29.6', strategy: 'InPlace', runId })]],
  [
    'istio RevisionBased with grace',
    () => [
      istio({
        version: 'v1.30.3',
        strategy: 'RevisionBased',
        inactiveRevisionDeletionGracePeriodSeconds: 0,
        runId,
      }),
    ],
  ],
  [
    'istio openshift-ambient',
    () => [istio({ version: 'v1.30-latest', strategy: 'InPlace', profile: 'openshift-ambient' })],
  ],
  ['istio on an EOL-listed version', () => [istio({ version: 'v1.28.10', strategy: 'RevisionBased' })]],
  ['istioRevisionTag', () => [istioRevisionTag({ istioName: 'default', runId })]],
  ['istioCni', () => [istioCni({ version: 'v1.30.3', runId })]],
  ['ztunnel plain', () => [ztunnel({ version: 'v1.30.3' })]],
  [
    'ztunnel RollingUpdate + grace',
    () => [
      ztunnel({
        version: 'v1.30.3',
        terminationGracePeriodSeconds: 300,
        updateStrategy: 'RollingUpdate',
        runId,
      }),
    ],
  ],
  ['ztunnel OnDelete', () => [ztunnel({ version: 'v1.29.6', updateStrategy: 'OnDelete', istioName: null })]],
  ['mesh namespaces', () => meshNamespaces({ runId })],
  [
    'ambient namespaces',
    () => [ambientNamespace('bookinfo', { useWaypoint: 'waypoint', runId }), ambientNamespace('default')],
  ],
  [
    'cross-namespace ambient namespace',
    () => [ambientNamespace('bookinfo', { useWaypoint: 'waypoint-foo', useWaypointNamespace: 'foo' })],
  ],
  ['waypoint', () => [waypoint({ namespace: 'bookinfo', runId })]],
  [
    'revisioned cross-namespace waypoint',
    () => [
      waypoint({
        namespace: 'foo',
        name: 'waypoint-foo',
        revision: 'default-v1-30-3',
        allowedFromNamespaces: ['bookinfo'],
      }),
    ],
  ],
  ['reviews route 90/10', () => [reviewsRoute({ runId })]],
  [
    'reviews route three-way',
    () => [reviewsRoute({ weights: { 'reviews-v1': 0, 'reviews-v2': 50, 'reviews-v3': 50 } })],
  ],
  ['productpage policy', () => [productpageAuthorizationPolicy({ runId })]],
  ['probe bundle', () => [probeBundleConfigMap({ namespace: 'default', bundle: 'export {};\n', runId })]],
  [
    'allowed probe client',
    () => probeClient({ namespace: 'default', serviceAccount: 'curl', name: 'curl-probe', runId }),
  ],
  [
    'not-allowed probe client on a node',
    () =>
      probeClient({
        namespace: 'bookinfo',
        serviceAccount: 'not-allowed',
        name: 'not-allowed',
        node: 'kind-worker2',
      }),
  ],
  ['echo server', () => echoServer({ namespace: 'echo', name: 'echo', port: 9000, node: 'kind-worker' })],
];

describe('every builder output validates against the real schemas', () => {
  it.each(cases)('%s', (_name, build) => {
    for (const object of build()) {
      const result = validator.validate(object);
      expect(result.ok ? [] : result.errors).toEqual([]);
      const crdBacked = !['v1', 'apps/v1'].includes(object.apiVersion);
      expect(result).toMatchObject({ ok: true, checkedBy: crdBacked ? 'crd-schema' : 'core-zod' });
    }
  });
});
