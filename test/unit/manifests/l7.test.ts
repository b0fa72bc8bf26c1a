import { describe, expect, it } from 'vitest';
import {
  ambientNamespace,
  meshNamespaces,
  productpageAuthorizationPolicy,
  reviewsRoute,
  waypoint,
} from '../../../helpers/mesh/manifests/index.ts';

describe('namespaces', () => {
  it('creates the three Sail namespaces, discovery-labelling istio-system and ztunnel', () => {
    const namespaces = meshNamespaces({ runId: 'r1' });
    expect(namespaces.map((ns) => ns.metadata.name)).toEqual(['istio-system', 'istio-cni', 'ztunnel']);
    const discovery = namespaces.map((ns) => ns.metadata.labels?.['istio-discovery']);
    expect(discovery).toEqual(['enabled', undefined, 'enabled']);
    expect(
      namespaces.every(
        (ns) => ns.kind === 'Namespace' && ns.metadata.labels?.['ambient-upgrade-suite/run-id'] === 'r1',
      ),
    ).toBe(true);
  });

  it('enrols an ambient namespace and points it at a (cross-namespace) waypoint', () => {
    expect(ambientNamespace('bookinfo').metadata.labels).toMatchObject({
      'istio.io/dataplane-mode': 'ambient',
    });
    expect(ambientNamespace('bookinfo').metadata.labels).not.toHaveProperty(['istio.io/use-waypoint']);
    const labels = ambientNamespace('bookinfo', { useWaypoint: 'waypoint-foo', useWaypointNamespace: 'foo' })
      .metadata.labels;
    expect(labels).toMatchObject({
      'istio.io/dataplane-mode': 'ambient',
      'istio.io/use-waypoint': 'waypoint-foo',
      'istio.io/use-waypoint-namespace': 'foo',
    });
  });

  it('refuses a waypoint namespace without a waypoint name', () => {
    expect(() => ambientNamespace('bookinfo', { useWaypointNamespace: 'foo' })).toThrow(/useWaypoint/);
  });
});

describe('waypoint', () => {
  it('is an istio-waypoint Gateway with the mesh HBONE listener on 15008', () => {
    const object = waypoint({ namespace: 'bookinfo' });
    expect(object).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'bookinfo', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      },
    });
    expect(object.metadata.labels).not.toHaveProperty(['istio.io/rev']);
    expect(object).not.toHaveProperty('spec.listeners.0.allowedRoutes');
  });

  it('pins a revision and allows other namespaces by name, keeping its own', () => {
    const object = waypoint({
      namespace: 'foo',
      name: 'waypoint-foo',
      revision: 'default-v1-30-3',
      allowedFromNamespaces: ['bookinfo'],
    });
    expect(object.metadata.labels).toMatchObject({ 'istio.io/rev': 'default-v1-30-3' });
    expect(object).toMatchObject({
      spec: {
        listeners: [
          {
            allowedRoutes: {
              namespaces: {
                from: 'Selector',
                selector: {
                  matchExpressions: [
                    { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['foo', 'bookinfo'] },
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('rejects an empty allow list', () => {
    expect(() => waypoint({ namespace: 'foo', allowedFromNamespaces: [] })).toThrow(/allowedFromNamespaces/);
  });
});

describe('reviewsRoute', () => {
  it('defaults to the 90/10 split on the reviews Service port 9080', () => {
    expect(reviewsRoute()).toMatchObject({
      kind: 'HTTPRoute',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [
          {
            backendRefs: [
              { name: 'reviews-v1', port: 9080, weight: 90 },
              { name: 'reviews-v2', port: 9080, weight: 10 },
            ],
          },
        ],
      },
    });
  });

  it('follows the given weights and namespace', () => {
    const route = reviewsRoute({ namespace: 'shop', weights: { 'reviews-v2': 50, 'reviews-v3': 50 } });
    expect(route.metadata.namespace).toBe('shop');
    expect(route).toMatchObject({
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'reviews-v2', weight: 50 },
              { name: 'reviews-v3', weight: 50 },
            ],
          },
        ],
      },
    });
  });

  it('rejects fractional, negative or all-zero weights', () => {
    expect(() => reviewsRoute({ weights: { 'reviews-v1': 0.5 } })).toThrow(/invalid/);
    expect(() => reviewsRoute({ weights: { 'reviews-v1': -1 } })).toThrow(/invalid/);
    expect(() => reviewsRoute({ weights: { 'reviews-v1': 0 } })).toThrow(/positive/);
    expect(() => reviewsRoute({ weights: {} })).toThrow(/positive/);
  });
});

describe('productpageAuthorizationPolicy', () => {
  it('is the OSSM doc policy: waypoint-targeted, ALLOW GET from the curl principal', () => {
    expect(productpageAuthorizationPolicy()).toMatchObject({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'productpage-waypoint', namespace: 'bookinfo' },
      spec: {
        targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
        action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/default/sa/curl'] } }],
            to: [{ operation: { methods: ['GET'] } }],
          },
        ],
      },
    });
  });

  it('uses the given principal', () => {
    const policy = productpageAuthorizationPolicy({ allowedPrincipal: 'cluster.local/ns/x/sa/y' });
    expect(policy).toMatchObject({
      spec: { rules: [{ from: [{ source: { principals: ['cluster.local/ns/x/sa/y'] } }] }] },
    });
  });
});
