import { describe, expect, it } from 'vitest';
import type { WaitCondition } from '../../../helpers/plan/types.ts';
import { runDelete, runUpgrade } from '../../../suites/runner/actions.ts';
import type { StoredObject } from '../../support/fake-apiserver.ts';
import {
  condition,
  GATEWAY_API,
  pod,
  runContext,
  SAIL,
  sailCr,
  useFakeApi,
  waitFor,
  waitTimeoutMessage,
} from './fixtures.ts';

const { fake } = useFakeApi();

const ZTUNNEL = { apiVersion: SAIL, kind: 'ZTunnel', name: 'default' };
const ISTIO = { apiVersion: SAIL, kind: 'Istio', name: 'default' };

function deployment(
  namespace: string,
  name: string,
  container: string,
  image: string,
  status: Record<string, number> = {},
): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, generation: 1 },
    spec: { replicas: 2, template: { spec: { containers: [{ name: container, image }] } } },
    status: {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      ...status,
    },
  };
}

function daemonSet(namespace: string, name: string, image: string, status: Record<string, number> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace, generation: 1 },
    spec: {
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        spec: { containers: [{ name: name === 'ztunnel' ? 'istio-proxy' : 'install-cni', image }] },
      },
    },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      numberUnavailable: 0,
      ...status,
    },
  } satisfies StoredObject;
}

function gateway(programmed: 'True' | 'False', observedGeneration = 1): StoredObject {
  return {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: 'bookinfo', generation: 1 },
    spec: { gatewayClassName: 'istio-waypoint' },
    status: { conditions: [condition('Programmed', programmed, { observedGeneration })] },
  };
}

const owned = { ownerReferences: [{ apiVersion: SAIL, kind: 'Istio', name: 'default', uid: 'istio-uid' }] };

describe('runWait sail-ready', () => {
  const c: WaitCondition = { kind: 'sail-ready', target: ZTUNNEL, version: 'v1.30.3' };

  it('completes on a CR Ready and Reconciled on its generation and version (fake API server)', async () => {
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.30.3' }));
    const outcome = await waitFor(runContext(fake()), c);
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toBe('ZTunnel default Ready on v1.30.3');
  });

  it('times out on a CR on another version, saying what it saw (fake API server)', async () => {
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.29.2' }));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for ZTunnel default Ready on v1.30.3');
    expect(message).toContain('spec.version is v1.29.2, expected v1.30.3');
  });

  it('after runUpgrade, refuses a CR still Ready on the old generation: the stale-Ready trap (fake API server)', async () => {
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.29.2' }));
    const ctx = runContext(fake());
    const upgraded = await runUpgrade({ action: 'upgrade', target: ZTUNNEL, version: 'v1.30.3' }, ctx);
    expect(upgraded.ok).toBe(true);
    expect(ctx.generations.get('ZTunnel//default')).toBe(2);
    // Sail has not reconciled yet: Ready/Reconciled are still True, from generation 1.
    const stored = fake().get(SAIL, 'ZTunnel', undefined, 'default');
    expect(stored?.status).toMatchObject({ observedGeneration: 1 });
    const message = await waitTimeoutMessage(ctx, c);
    expect(message).toContain('waiting for ZTunnel default Ready on v1.30.3');
    expect(message).toContain('observedGeneration 1 < 2 (the upgrade patch)');
    // Every runner wait reports the pods and recent events of the namespace where the CR's workloads run.
    expect(message).toContain('pods in ztunnel:');
  });

  it('after runUpgrade, completes once Sail observes the patched generation mid-wait (fake API server)', async () => {
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.29.2' }));
    const ctx = runContext(fake());
    await runUpgrade({ action: 'upgrade', target: ZTUNNEL, version: 'v1.30.3' }, ctx);
    let reads = 0;
    fake().onRequest = (request) => {
      if (request.method !== 'GET' || !request.path.endsWith('/ztunnels/default')) return;
      reads += 1;
      if (reads === 2) {
        // The second poll sees Sail's reconcile of generation 2.
        const current = fake().get(SAIL, 'ZTunnel', undefined, 'default');
        if (current)
          fake().put({ ...current, status: { ...(current.status as object), observedGeneration: 2 } });
      }
    };
    const outcome = await waitFor(ctx, c);
    expect(outcome.ok).toBe(true);
    expect(reads).toBe(2);
  });

  it('a ZTunnel deleted and re-created after an upgrade is judged on its own generation (fake API server)', async () => {
    fake().put(sailCr('Istio', 'default', { version: 'v1.29.2' }));
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.29.2' }));
    const ctx = runContext(fake());
    await runUpgrade({ action: 'upgrade', target: ISTIO, version: 'v1.30.3' }, ctx);
    await runUpgrade({ action: 'upgrade', target: ZTUNNEL, version: 'v1.30.3' }, ctx);
    await runDelete({ action: 'delete', objects: [ZTUNNEL] }, ctx);
    // ztunnel-rolling re-creates ZTunnel at `from`: a new object, generation 1, reconciled.
    fake().put(sailCr('ZTunnel', 'default', { version: 'v1.29.2' }));
    const outcome = await waitFor(ctx, { kind: 'sail-ready', target: ZTUNNEL, version: 'v1.29.2' });
    expect(outcome.ok).toBe(true);
    expect(ctx.generations.has('Istio//default')).toBe(true);
  });
});

describe('runWait istiod-rolled-out', () => {
  const c: WaitCondition = {
    kind: 'istiod-rolled-out',
    namespace: 'istio-system',
    revision: 'default-v1-30-3',
    version: 'v1.30.3',
  };

  it('completes on istiod-<revision> rolled out on the version (fake API server)', async () => {
    fake().put(
      deployment('istio-system', 'istiod-default-v1-30-3', 'discovery', 'docker.io/istio/pilot:1.30.3'),
    );
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('reads istiod (no suffix) for revision default (fake API server)', async () => {
    fake().put(deployment('istio-system', 'istiod', 'discovery', 'docker.io/istio/pilot:1.30.3'));
    const outcome = await waitFor(runContext(fake()), { ...c, revision: 'default' });
    expect(outcome.ok).toBe(true);
  });

  it('times out while an old replica remains, naming it (fake API server)', async () => {
    fake().put(
      deployment('istio-system', 'istiod-default-v1-30-3', 'discovery', 'docker.io/istio/pilot:1.30.3', {
        replicas: 3,
      }),
    );
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for istiod of revision default-v1-30-3 rolled out on v1.30.3');
    expect(message).toContain('1 replicas of an older template remain');
  });
});

describe('runWait daemonset-rolled-out', () => {
  const c: WaitCondition = {
    kind: 'daemonset-rolled-out',
    namespace: 'ztunnel',
    name: 'ztunnel',
    version: 'v1.30.3',
  };

  it('completes when every node runs the version (fake API server)', async () => {
    fake().put(daemonSet('ztunnel', 'ztunnel', 'docker.io/istio/ztunnel:1.30.3-distroless'));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('checks the install-cni container of istio-cni-node (fake API server)', async () => {
    fake().put(daemonSet('istio-cni', 'istio-cni-node', 'docker.io/istio/install-cni:1.29.2'));
    const message = await waitTimeoutMessage(runContext(fake()), {
      kind: 'daemonset-rolled-out',
      namespace: 'istio-cni',
      name: 'istio-cni-node',
      version: 'v1.30.3',
    });
    expect(message).toContain('container install-cni runs image docker.io/istio/install-cni:1.29.2');
  });

  it('times out with the count of nodes not updated (fake API server)', async () => {
    fake().put(
      daemonSet('ztunnel', 'ztunnel', 'docker.io/istio/ztunnel:1.30.3', { updatedNumberScheduled: 1 }),
    );
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for DaemonSet ztunnel/ztunnel rolled out on v1.30.3');
    expect(message).toContain('1/3 pods run the current template');
  });
});

describe('runWait revisions', () => {
  const c: WaitCondition = {
    kind: 'revisions',
    istio: 'default',
    activeRevision: 'default-v1-30-3',
    version: 'v1.30.3',
    total: 1,
  };
  const istio = (total: number) =>
    sailCr('Istio', 'default', {
      version: 'v1.30.3',
      spec: { updateStrategy: { type: 'RevisionBased' } },
      status: { activeRevisionName: 'default-v1-30-3', revisions: { total } },
    });

  it('completes with the active revision Ready and exactly `total` revisions (fake API server)', async () => {
    fake().put(istio(1));
    fake().put(sailCr('IstioRevision', 'default-v1-30-3', { version: 'v1.30.3', metadata: owned }));
    const outcome = await waitFor(runContext(fake()), c);
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toBe('Istio default on revision default-v1-30-3 (1 in total)');
  });

  it('times out while the old revision still counts towards the total (fake API server)', async () => {
    fake().put(istio(2));
    fake().put(sailCr('IstioRevision', 'default-v1-30-3', { version: 'v1.30.3', metadata: owned }));
    fake().put(sailCr('IstioRevision', 'default-v1-29-2', { version: 'v1.29.2', metadata: owned }));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('IstioRevisions: default-v1-29-2, default-v1-30-3');
    expect(message).toContain('2 IstioRevisions exist, expected 1');
    expect(message).toContain('status.revisions.total is 2, expected 1');
  });

  it('without total, an extra revision does not matter (fake API server)', async () => {
    fake().put(istio(2));
    fake().put(sailCr('IstioRevision', 'default-v1-30-3', { version: 'v1.30.3', metadata: owned }));
    fake().put(sailCr('IstioRevision', 'default-v1-29-2', { version: 'v1.29.2', metadata: owned }));
    const { total: _total, ...withoutTotal } = c as Extract<WaitCondition, { kind: 'revisions' }>;
    expect((await waitFor(runContext(fake()), withoutTotal)).ok).toBe(true);
  });
});

describe('runWait revision-gone', () => {
  const c: WaitCondition = {
    kind: 'revision-gone',
    name: 'default-v1-29-2',
    istiodNamespace: 'istio-system',
  };

  it('completes when the revision and its istiod are gone (fake API server)', async () => {
    const outcome = await waitFor(runContext(fake()), c);
    expect(outcome.ok).toBe(true);
    expect(outcome.evidence[0]?.body).toBe('IstioRevision default-v1-29-2 and its istiod are gone');
  });

  it('times out reporting the InUse reason that keeps the revision (fake API server)', async () => {
    fake().put(
      sailCr('IstioRevision', 'default-v1-29-2', {
        version: 'v1.29.2',
        status: {
          conditions: [
            condition('InUse', 'True', {
              reason: 'ReferencedByWorkloads',
              message: 'Referenced by 2 pods in bookinfo',
            }),
          ],
        },
      }),
    );
    fake().put(
      deployment('istio-system', 'istiod-default-v1-29-2', 'discovery', 'docker.io/istio/pilot:1.29.2'),
    );
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for IstioRevision default-v1-29-2 pruned');
    expect(message).toContain(
      'IstioRevision default-v1-29-2 still exists (InUse=True ReferencedByWorkloads: Referenced by 2 pods in bookinfo)',
    );
    expect(message).toContain('its istiod Deployment still exists');
  });
});

describe('runWait tag-points-to', () => {
  const c: WaitCondition = { kind: 'tag-points-to', tag: 'default', revision: 'default-v1-30-3' };
  const tag = (revision: string) =>
    sailCr('IstioRevisionTag', 'default', { status: { istioRevision: revision } });

  it('completes when the tag points at the revision and is reconciled (fake API server)', async () => {
    fake().put(tag('default-v1-30-3'));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out naming where the tag still points (fake API server)', async () => {
    fake().put(tag('default-v1-29-2'));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for IstioRevisionTag default → default-v1-30-3');
    expect(message).toContain('points at default-v1-29-2, expected default-v1-30-3');
  });
});

describe('runWait pods-ready', () => {
  const c: WaitCondition = { kind: 'pods-ready', namespace: 'bookinfo', selector: 'app=reviews', min: 2 };

  it('completes with at least `min` Ready pods of the selector (fake API server)', async () => {
    fake().put(pod('bookinfo', 'reviews-1', { labels: { app: 'reviews' } }));
    fake().put(pod('bookinfo', 'reviews-2', { labels: { app: 'reviews' } }));
    fake().put(pod('bookinfo', 'ratings-1', { labels: { app: 'ratings' }, ready: false }));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on a pod not Ready, listing the pods seen (fake API server)', async () => {
    fake().put(pod('bookinfo', 'reviews-1', { labels: { app: 'reviews' } }));
    fake().put(pod('bookinfo', 'reviews-2', { labels: { app: 'reviews' }, ready: false }));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for pods app=reviews in bookinfo Ready (at least 2)');
    expect(message).toContain('reviews-1=Running/Ready, reviews-2=Running');
    expect(message).toContain('1 not Ready or terminating');
  });
});

describe('runWait waypoint-programmed', () => {
  const c: WaitCondition = { kind: 'waypoint-programmed', namespace: 'bookinfo', name: 'waypoint' };

  it('completes on Programmed=True for the current generation (fake API server)', async () => {
    fake().put(gateway('True'));
    expect((await waitFor(runContext(fake()), c)).ok).toBe(true);
  });

  it('times out on Programmed for an older generation (fake API server)', async () => {
    fake().put({
      ...gateway('True', 1),
      metadata: { name: 'waypoint', namespace: 'bookinfo', generation: 2 },
    });
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for Gateway bookinfo/waypoint Programmed');
    expect(message).toContain('Programmed describes generation 1, not 2');
  });
});

describe('runWait waypoint-rolled-out', () => {
  const c: WaitCondition = {
    kind: 'waypoint-rolled-out',
    namespace: 'bookinfo',
    name: 'waypoint',
    version: 'v1.30.3',
    revision: 'default-v1-30-3',
  };
  const waypointPod = (name: string, image: string, revision: string) =>
    pod('bookinfo', name, {
      labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
      annotations: { 'istio.io/rev': revision },
      container: 'istio-proxy',
      image,
    });

  it('completes with Gateway, Deployment and every pod on the version and revision (fake API server)', async () => {
    fake().put(gateway('True'));
    fake().put(deployment('bookinfo', 'waypoint', 'istio-proxy', 'docker.io/istio/proxyv2:1.30.3'));
    fake().put(waypointPod('waypoint-a', 'docker.io/istio/proxyv2:1.30.3', 'default-v1-30-3'));
    fake().put(waypointPod('waypoint-b', 'docker.io/istio/proxyv2:1.30.3', 'default-v1-30-3'));
    const outcome = await waitFor(runContext(fake()), c);
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toBe('waypoint bookinfo/waypoint rolled out on v1.30.3');
  });

  it('times out on a pod still owned by the old revision (fake API server)', async () => {
    fake().put(gateway('True'));
    fake().put(deployment('bookinfo', 'waypoint', 'istio-proxy', 'docker.io/istio/proxyv2:1.30.3'));
    fake().put(waypointPod('waypoint-a', 'docker.io/istio/proxyv2:1.30.3', 'default-v1-30-3'));
    fake().put(waypointPod('waypoint-b', 'docker.io/istio/proxyv2:1.29.2', 'default-v1-29-2'));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for waypoint bookinfo/waypoint ready on v1.30.3');
    expect(message).toContain('pod waypoint-b');
    expect(message).toContain('runs 1.29.2, expected v1.30.3');
    expect(message).toContain('revision default-v1-29-2, expected default-v1-30-3');
  });
});

describe('runWait gone', () => {
  const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo', name: 'web' };
  const c: WaitCondition = { kind: 'gone', objects: [ZTUNNEL, web] };

  it('completes when every object is absent (fake API server)', async () => {
    const outcome = await waitFor(runContext(fake()), c);
    expect(outcome.ok).toBe(true);
    expect(outcome.evidence[0]?.body).toBe('all 2 object(s) gone');
  });

  it('times out naming what is still present (fake API server)', async () => {
    fake().put(deployment('demo', 'web', 'app', 'example/web:1'));
    const message = await waitTimeoutMessage(runContext(fake()), c);
    expect(message).toContain('waiting for 2 object(s) gone');
    expect(message).toContain('still present: Deployment demo/web — not done');
    expect(message).not.toContain('ZTunnel default');
  });
});
