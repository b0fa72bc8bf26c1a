import { describe, expect, it } from 'vitest';
import type { WaitCondition } from '../../../helpers/plan/types.ts';
import { runProbeStep } from '../../../suites/runner/probes.ts';
import type { StoredObject } from '../../support/fake-apiserver.ts';
import {
  condition,
  GATEWAY_API,
  runContext,
  sailCr,
  useFakeApi,
  waitFor,
  waitTimeoutMessage,
} from './fixtures.ts';

// The waits issue 10 adds, against the HTTP fake API (timeouts and what a timeout reports). What these objects look
// like on a real cluster is written by Sail, istiod and the kube controllers: see each judgement's sources.

const { fake } = useFakeApi();

function route(generation: number, parents: { observed: number; accepted?: string; resolved?: string }[]) {
  return {
    apiVersion: GATEWAY_API,
    kind: 'HTTPRoute',
    metadata: { name: 'reviews', namespace: 'bookinfo', generation },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }] },
    status: {
      parents: parents.map((p) => ({
        parentRef: { group: '', kind: 'Service', name: 'reviews', port: 9080 },
        controllerName: 'istio.io/gateway-controller',
        conditions: [
          condition('Accepted', (p.accepted ?? 'True') as 'True', { observedGeneration: p.observed }),
          condition('ResolvedRefs', (p.resolved ?? 'True') as 'True', { observedGeneration: p.observed }),
        ],
      })),
    },
  } satisfies StoredObject;
}

describe('runWait route-accepted (item 8)', () => {
  const c: WaitCondition = { kind: 'route-accepted', namespace: 'bookinfo', name: 'reviews' };

  it('completes when the Service parent is Accepted and ResolvedRefs on the current generation (fake API server)', async () => {
    fake().put(route(2, [{ observed: 2 }]));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on conditions from an older generation: the route istiod judged is not this one (fake API server)', async () => {
    fake().put(route(3, [{ observed: 2 }]));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('Accepted describes generation 2, the route is at 3');
  });

  it('times out with no parent status yet (nobody reconciles it, e.g. no istiod) and on ResolvedRefs False', async () => {
    fake().put({ ...route(1, []), status: {} });
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain(
      'no status for parent Service reviews:9080 yet',
    );
    fake().put(route(1, [{ observed: 1, resolved: 'False' }]));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain('ResolvedRefs is False');
  });
});

describe('runWait istio-healthy (item 6)', () => {
  const c: WaitCondition = { kind: 'istio-healthy', istio: 'default' };
  const istio = (state: string, dependencies: 'True' | 'False') =>
    sailCr('Istio', 'default', {
      version: 'v1.30.3',
      status: {
        state,
        conditions: [
          condition('Ready', 'True'),
          condition('Reconciled', 'True'),
          condition(
            'DependenciesHealthy',
            dependencies,
            dependencies === 'True' ? {} : { reason: 'ZTunnelNotHealthy' },
          ),
        ],
      },
    });

  it('completes on state Healthy with DependenciesHealthy True (fake API server)', async () => {
    fake().put(istio('Healthy', 'True'));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out when Sail says a dependency is unhealthy, though Ready is True (fake API server)', async () => {
    fake().put(istio('Healthy', 'False'));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain(
      'DependenciesHealthy is False (ZTunnelNotHealthy)',
    );
    fake().put(istio('ReconcileError', 'True'));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain(
      'state is ReconcileError, expected Healthy',
    );
  });
});

function ztunnelDaemonSet(options: {
  revision: string;
  xds: string;
  image?: string;
  label?: string;
  grace?: number;
  status?: Record<string, number>;
}): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ztunnel', namespace: 'ztunnel', generation: 2 },
    spec: {
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: {
          labels: { app: 'ztunnel', ...(options.label ? { 'istio.io/rev': options.label } : {}) },
          annotations: { 'istio.io/rev': options.revision },
        },
        spec: {
          terminationGracePeriodSeconds: options.grace ?? 30,
          containers: [
            {
              name: 'istio-proxy',
              image: options.image ?? 'docker.io/istio/ztunnel:1.29.6',
              env: [
                { name: 'XDS_ADDRESS', value: options.xds },
                { name: 'TERMINATION_GRACE_PERIOD_SECONDS', value: String(options.grace ?? 30) },
              ],
            },
          ],
        },
      },
    },
    status: {
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      numberUnavailable: 0,
      ...options.status,
    },
  };
}

describe('runWait ztunnel-on-revision (item 2)', () => {
  const c: WaitCondition = {
    kind: 'ztunnel-on-revision',
    revision: 'default-v1-30-3',
    istiodNamespace: 'istio-system',
    version: 'v1.29.6',
  };
  const NEW_XDS = 'istiod-default-v1-30-3.istio-system.svc:15012';
  const ztunnelCr = (revision: string) =>
    sailCr('ZTunnel', 'default', { version: 'v1.29.6', status: { istioRevision: revision } });

  it('completes when the CR, the template annotation and XDS_ADDRESS name the new revision, rolled out (fake API server)', async () => {
    fake().put(ztunnelCr('default-v1-30-3'));
    fake().put(ztunnelDaemonSet({ revision: 'default-v1-30-3', xds: NEW_XDS, label: 'default-v1-30-3' }));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on a DaemonSet Sail has not re-rendered yet, though it is fully rolled out (fake API server)', async () => {
    // The old wait (daemonset-rolled-out at the old version) passed here at once.
    fake().put(ztunnelCr('default-v1-29-6'));
    fake().put(
      ztunnelDaemonSet({ revision: 'default-v1-29-6', xds: 'istiod-default-v1-29-6.istio-system.svc:15012' }),
    );
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('ZTunnel status.istioRevision is default-v1-29-6, expected default-v1-30-3');
    expect(message).toContain('pod template annotation istio.io/rev is default-v1-29-6');
    expect(message).toContain('XDS_ADDRESS is istiod-default-v1-29-6.istio-system.svc:15012');
  });

  it('times out while the re-rendered template is still rolling out, and on a stale label (fake API server)', async () => {
    fake().put(ztunnelCr('default-v1-30-3'));
    fake().put(
      ztunnelDaemonSet({ revision: 'default-v1-30-3', xds: NEW_XDS, status: { updatedNumberScheduled: 1 } }),
    );
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain('1/3 pods run the current template');
    fake().put(ztunnelDaemonSet({ revision: 'default-v1-30-3', xds: NEW_XDS, label: 'default-v1-29-6' }));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain(
      'pod template label istio.io/rev is default-v1-29-6',
    );
  });
});

describe('runWait daemonset-rolled-out with a grace (item 13)', () => {
  const c: WaitCondition = {
    kind: 'daemonset-rolled-out',
    namespace: 'ztunnel',
    name: 'ztunnel',
    version: 'v1.29.6',
    terminationGracePeriodSeconds: 300,
  };
  const xds = 'istiod.istio-system.svc:15012';

  it('completes on a rolled-out template carrying the new grace (fake API server)', async () => {
    fake().put(ztunnelDaemonSet({ revision: 'default', xds, grace: 300 }));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on the old template, fully rolled out, right after the grace patch (fake API server)', async () => {
    fake().put(ztunnelDaemonSet({ revision: 'default', xds, grace: 30 }));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('pod terminationGracePeriodSeconds 30, ZTunnel CR asked for 300');
  });
});

describe('runWait istiod-rolled-out with minReplicas (item 11)', () => {
  const c: WaitCondition = {
    kind: 'istiod-rolled-out',
    namespace: 'istio-system',
    revision: 'default',
    version: 'v1.30.3',
    minReplicas: 2,
  };
  const istiod = (replicas: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'istiod', namespace: 'istio-system', generation: 1 },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.30.3' }] } },
    },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
    },
  });

  it('completes with two ready replicas (fake API server)', async () => {
    fake().put(istiod(2));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on one replica fully rolled out: the HPA has not scaled it yet (fake API server)', async () => {
    fake().put(istiod(1));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain(
      'replicas asked 1, ready 1 — not done: expected at least 2',
    );
  });
});

describe('runWait cluster-dns-available (item 11)', () => {
  const c: WaitCondition = { kind: 'cluster-dns-available' };
  const coredns = (available: 'True' | 'False', ready: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, generation: 1 },
    spec: { replicas: 2 },
    status: { observedGeneration: 1, readyReplicas: ready, conditions: [condition('Available', available)] },
  });

  it('completes when CoreDNS is Available with every replica ready (fake API server)', async () => {
    fake().put(coredns('True', 2));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out while CoreDNS is evicted and not back, and when there is no cluster DNS at all (fake API server)', async () => {
    fake().put(coredns('True', 1));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain('coredns has 1/2 replicas ready');
    fake().put(coredns('False', 0));
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain('coredns is not Available');
  });

  it('times out naming the absence when neither CoreDNS nor the OpenShift DNS exists (fake API server)', async () => {
    expect(await waitTimeoutMessage(runContext(fake()), c)).toContain('no cluster DNS found');
  });
});

describe('namespace-labels without repair after the upgrade (item 5)', () => {
  const spec = {
    kind: 'namespace-labels' as const,
    namespace: 'bookinfo',
    expected: { 'istio.io/use-waypoint': 'waypoint-foo', 'istio.io/use-waypoint-namespace': 'foo' },
    repair: false,
  };
  const ns = (labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'bookinfo', labels },
  });

  it('fails when the upgrade lost a label, and leaves it lost (fake API server)', async () => {
    fake().put(ns({ 'istio.io/use-waypoint': 'waypoint-foo' }));
    const outcome = await runProbeStep({ action: 'probe', probe: spec }, runContext(fake()));
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain('istio.io/use-waypoint-namespace=(missing) (want foo)');
    expect(fake().get('v1', 'Namespace', undefined, 'bookinfo')?.metadata.labels).not.toHaveProperty(
      'istio.io/use-waypoint-namespace',
    );
  });

  it('passes when both labels survived (fake API server)', async () => {
    fake().put(ns({ 'istio.io/use-waypoint': 'waypoint-foo', 'istio.io/use-waypoint-namespace': 'foo' }));
    const outcome = await runProbeStep({ action: 'probe', probe: spec }, runContext(fake()));
    expect(outcome.ok).toBe(true);
  });
});
