import { describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import { connect } from '../../../helpers/k8s/client.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import type { DrainStep } from '../../../helpers/plan/types.ts';
import { runApply, runDelete, runDrain, runLabel } from '../../../suites/runner/actions.ts';
import { resolveNodes } from '../../../suites/runner/nodes.ts';
import { node, pod, runContext, SAIL, sailCr, useFakeApi } from './fixtures.ts';

const { fake } = useFakeApi();

const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo' } };
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'bookinfo' },
  data: { mode: 'ambient' },
};
const istio: KubeObject = {
  apiVersion: SAIL,
  kind: 'Istio',
  metadata: { name: 'default' },
  spec: { version: 'v1.29.2', namespace: 'istio-system' },
};

const nodeLabels = (name: string) =>
  (fake().get('v1', 'Node', undefined, name)?.metadata.labels ?? {}) as Record<string, string>;
const unschedulable = (name: string) =>
  (fake().get('v1', 'Node', undefined, name)?.spec as { unschedulable?: boolean } | undefined)?.unschedulable;

describe('runApply', () => {
  it('server-side applies every object in plan order (fake API server)', async () => {
    const outcome = await runApply(
      { action: 'apply', objects: [namespace, configMap, istio], file: '030-install.yaml' },
      runContext(fake()),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toBe('applied 3 object(s) from 030-install.yaml');
    const patches = fake().requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual([
      '/api/v1/namespaces/bookinfo',
      '/api/v1/namespaces/bookinfo/configmaps/settings',
      '/apis/sailoperator.io/v1/istios/default',
    ]);
    expect(new Set(patches.map((r) => r.contentType))).toEqual(new Set(['application/apply-patch+yaml']));
    expect(patches.every((r) => r.query.get('fieldManager') === 'ambient-upgrade-suite')).toBe(true);
    expect(fake().get(SAIL, 'Istio', undefined, 'default')?.spec).toEqual(istio.spec);
  });

  it('stops at the first object the API refuses (fake API server)', async () => {
    fake().fail({ method: 'PATCH', path: '/api/v1/namespaces/bookinfo/configmaps/settings', status: 422 });
    await expect(
      runApply(
        { action: 'apply', objects: [namespace, configMap, istio], file: 'x.yaml' },
        runContext(fake()),
      ),
    ).rejects.toThrow(/ConfigMap bookinfo\/settings/);
    expect(fake().get(SAIL, 'Istio', undefined, 'default')).toBeUndefined();
  });
});

describe('runLabel', () => {
  it('sets and removes labels on an object with a merge patch, and reads them back (fake API server)', async () => {
    fake().put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bookinfo', labels: { 'istio-injection': 'enabled', keep: 'yes' } },
    });
    const outcome = await runLabel(
      {
        action: 'label',
        target: { apiVersion: 'v1', kind: 'Namespace', name: 'bookinfo' },
        labels: { 'istio.io/dataplane-mode': 'ambient', 'istio-injection': null },
      },
      runContext(fake()),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toBe('labelled Namespace bookinfo');
    expect(fake().get('v1', 'Namespace', undefined, 'bookinfo')?.metadata.labels).toEqual({
      keep: 'yes',
      'istio.io/dataplane-mode': 'ambient',
    });
    const [patch] = fake().requestsTo('PATCH', '/api/v1/namespaces/bookinfo');
    expect(patch?.contentType).toBe('application/merge-patch+json');
  });

  it('labels a symbolic node through the resolved node names (fake API server)', async () => {
    fake().put(node('kind-worker'));
    fake().put(node('kind-worker2'));
    const ctx = runContext(fake(), { 'worker-0': 'kind-worker', 'worker-1': 'kind-worker2' });
    const outcome = await runLabel(
      {
        action: 'label',
        target: { node: { role: 'worker', index: 1 } },
        labels: { 'ambient-upgrade-suite/node': 'worker-1' },
      },
      ctx,
    );
    expect(outcome.ok).toBe(true);
    expect(nodeLabels('kind-worker2')).toEqual({ 'ambient-upgrade-suite/node': 'worker-1' });
    expect(nodeLabels('kind-worker')).toEqual({});
  });

  it('refuses a symbolic node the cluster does not have (fake API server)', async () => {
    const ctx = runContext(fake(), { 'worker-0': 'kind-worker' });
    await expect(
      runLabel({ action: 'label', target: { node: { role: 'worker', index: 2 } }, labels: { a: 'b' } }, ctx),
    ).rejects.toThrow('worker node 2 does not exist in this cluster');
    expect(fake().requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('fails when the API does not keep a label, naming it (fake API server)', async () => {
    fake().put(node('kind-worker'));
    const ctx = runContext(fake(), { 'worker-0': 'kind-worker' });
    // An admission webhook (or a plan typo) drops one label: the API answers with the object without it.
    fake().fail({
      method: 'PATCH',
      path: '/api/v1/nodes/kind-worker',
      status: 200,
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kind-worker', labels: { kept: 'yes' } } },
    });
    const outcome = await runLabel(
      {
        action: 'label',
        target: { node: { role: 'worker', index: 0 } },
        labels: { kept: 'yes', dropped: 'x' },
      },
      ctx,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toBe('labels on Node kind-worker not as set: dropped');
    expect(JSON.parse(outcome.evidence[0]?.body ?? '{}')).toEqual({ kept: 'yes' });
  });

  it('fails when a removed label is still there (fake API server)', async () => {
    fake().put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bookinfo', labels: { stale: 'x' } },
    });
    fake().fail({
      method: 'PATCH',
      path: '/api/v1/namespaces/bookinfo',
      status: 200,
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo', labels: { stale: 'x' } } },
    });
    const outcome = await runLabel(
      {
        action: 'label',
        target: { apiVersion: 'v1', kind: 'Namespace', name: 'bookinfo' },
        labels: { stale: null },
      },
      runContext(fake()),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toBe('labels on Namespace bookinfo not as set: stale');
  });
});

describe('runDelete', () => {
  it('deletes with foreground propagation and says which objects were already absent (fake API server)', async () => {
    fake().put(sailCr('ZTunnel', 'default'));
    const ctx = runContext(fake());
    const ztunnelRef = { apiVersion: SAIL, kind: 'ZTunnel', name: 'default' };
    ctx.generations.set('ZTunnel//default', 2);
    const outcome = await runDelete(
      {
        action: 'delete',
        objects: [ztunnelRef, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'demo', name: 'missing' }],
      },
      ctx,
    );
    expect(outcome.ok).toBe(true);
    expect(JSON.parse(outcome.evidence[0]?.body ?? '[]')).toEqual([
      'ZTunnel default: deleted',
      'ConfigMap demo/missing: already absent',
    ]);
    expect(fake().get(SAIL, 'ZTunnel', undefined, 'default')).toBeUndefined();
    const [request] = fake().requestsTo('DELETE', '/apis/sailoperator.io/v1/ztunnels/default');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ propagationPolicy: 'Foreground' });
    expect(ctx.generations.has('ZTunnel//default')).toBe(false);
  });
});

describe('resolveNodes', () => {
  it('maps Ready workers sorted by name from index 0, and the control plane (fake API server)', async () => {
    fake().put(node('kind-worker3'));
    fake().put(node('kind-control-plane', { controlPlane: true }));
    fake().put(node('kind-worker'));
    fake().put(node('kind-worker2'));
    const nodes = await resolveNodes(connect({ kubeconfigPath: fake().kubeconfigPath }), 2);
    expect(Object.fromEntries(nodes)).toEqual({
      'worker-0': 'kind-worker',
      'worker-1': 'kind-worker2',
      'worker-2': 'kind-worker3',
      'control-plane-0': 'kind-control-plane',
    });
  });

  it('leaves a NotReady worker out (fake API server)', async () => {
    fake().put(node('a-worker', { ready: false }));
    fake().put(node('b-worker'));
    fake().put(node('c-worker'));
    const nodes = await resolveNodes(connect({ kubeconfigPath: fake().kubeconfigPath }), 2);
    expect([...nodes.values()]).toEqual(['b-worker', 'c-worker']);
  });

  it('too few workers is a one-line UserError naming --workers (fake API server)', async () => {
    fake().put(node('kind-control-plane', { controlPlane: true }));
    fake().put(node('kind-worker'));
    const error = await resolveNodes(connect({ kubeconfigPath: fake().kubeconfigPath }), 3).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toBe(
      'the cluster has 1 Ready worker node(s), the scenario needs 3 — use a cluster with more workers (kind: --workers 3)',
    );
    expect(message).not.toContain('\n');
  });
});

describe('runDrain', () => {
  const step: DrainStep = {
    action: 'drain',
    node: { role: 'worker', index: 0 },
    ztunnel: { namespace: 'ztunnel', selector: 'app=ztunnel', fromVersion: 'v1.29.2', toVersion: 'v1.30.3' },
    timeoutMs: 10_000,
  };
  const ztunnelPod = (name: string, nodeName: string, version: string, uid: string) =>
    pod('ztunnel', name, {
      node: nodeName,
      labels: { app: 'ztunnel' },
      container: 'istio-proxy',
      image: `docker.io/istio/ztunnel:${version}`,
      owner: { kind: 'DaemonSet', name: 'ztunnel' },
      uid,
    });

  function seed(ztunnelVersion = '1.29.2') {
    fake().put(node('kind-worker'));
    fake().put(node('kind-worker2'));
    fake().put(
      pod('bookinfo', 'reviews-1', { node: 'kind-worker', owner: { kind: 'ReplicaSet', name: 'rs' } }),
    );
    fake().put(
      pod('bookinfo', 'ratings-1', { node: 'kind-worker2', owner: { kind: 'ReplicaSet', name: 'rs' } }),
    );
    fake().put(ztunnelPod('ztunnel-old', 'kind-worker', ztunnelVersion, 'uid-old'));
    fake().put(ztunnelPod('ztunnel-other', 'kind-worker2', ztunnelVersion, 'uid-other'));
    return runContext(fake(), { 'worker-0': 'kind-worker', 'worker-1': 'kind-worker2' });
  }

  it('cordons, evicts, replaces the node ztunnel with the new version and uncordons (fake API server)', async () => {
    const ctx = seed();
    // The DaemonSet controller: a deleted ztunnel pod comes back at once, on the new version.
    fake().store.onChange((event) => {
      if (event.type === 'DELETED' && event.object.metadata.name === 'ztunnel-old')
        fake().put(ztunnelPod('ztunnel-new', 'kind-worker', '1.30.3', 'uid-new'));
    });
    const outcome = await runDrain(step, ctx);
    expect(outcome.summary).toBe('drained kind-worker, replaced its ztunnel with v1.30.3, uncordoned');
    expect(outcome.ok).toBe(true);
    // Evicted through the Eviction API; the ztunnel (DaemonSet) pod was not evicted.
    expect(
      fake()
        .requestsTo('POST', /\/eviction$/)
        .map((r) => r.path),
    ).toEqual(['/api/v1/namespaces/bookinfo/pods/reviews-1/eviction']);
    expect(fake().get('v1', 'Pod', 'bookinfo', 'ratings-1')).toBeDefined();
    expect(fake().get('v1', 'Pod', 'ztunnel', 'ztunnel-other')).toBeDefined();
    const cordons = fake()
      .requestsTo('PATCH', '/api/v1/nodes/kind-worker')
      .map((r) => JSON.parse(r.body) as unknown);
    expect(cordons.at(0)).toEqual({ spec: { unschedulable: true } });
    expect(cordons.at(-1)).toEqual({ spec: { unschedulable: null } });
    expect(unschedulable('kind-worker')).toBeUndefined();
    expect(ctx.drainWindows.map((w) => w.node)).toEqual(['kind-worker']);
  });

  it('fails when OnDelete did not hold (ztunnel already new) and still uncordons (fake API server)', async () => {
    const ctx = seed('1.30.3');
    const outcome = await runDrain(step, ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toBe(
      'ztunnel on kind-worker already runs 1.30.3 before its pod was deleted (OnDelete must keep v1.29.2)',
    );
    expect(fake().get('v1', 'Pod', 'ztunnel', 'ztunnel-old')).toBeDefined();
    expect(unschedulable('kind-worker')).toBeUndefined();
    expect(ctx.drainWindows.map((w) => w.node)).toEqual(['kind-worker']);
  });

  it('uncordons when deleting the ztunnel pod throws (fake API server)', async () => {
    const ctx = seed();
    fake().fail({ method: 'DELETE', path: '/api/v1/namespaces/ztunnel/pods/ztunnel-old', status: 403 });
    await expect(runDrain(step, ctx)).rejects.toThrow(/ztunnel-old/);
    expect(fake().get('v1', 'Pod', 'ztunnel', 'ztunnel-old')).toBeDefined();
    expect(unschedulable('kind-worker')).toBeUndefined();
    const patches = fake().requestsTo('PATCH', '/api/v1/nodes/kind-worker');
    expect(JSON.parse(patches.at(-1)?.body ?? '{}')).toEqual({ spec: { unschedulable: null } });
  });
});
