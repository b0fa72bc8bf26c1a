import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { drainNode, skipReasonOf } from '../../../helpers/k8s/drain.ts';
import { listWorkerNodes, uncordon } from '../../../helpers/k8s/nodes.ts';
import { WaitTimeout } from '../../../helpers/k8s/wait.ts';
import { instantClock } from '../../support/fake-api-clock.ts';
import { FakeApiServer, type StoredObject } from '../../support/fake-apiserver.ts';

function pod(name: string, node: string, extra: Partial<StoredObject['metadata']> = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'demo',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
      ],
      ...extra,
    },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
    status: { phase: 'Running' },
  };
}

const node = (name: string, controlPlane = false): StoredObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
  spec: {},
});

let fake: FakeApiServer;
let kube: Kube;
beforeEach(async () => {
  fake = await FakeApiServer.start();
  kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  fake.put(node('worker-b'));
  fake.put(node('control', true));
  fake.put(node('worker-a'));
  fake.put(pod('web-1', 'worker-a'));
  fake.put(pod('web-2', 'worker-b'));
  fake.put(
    pod('ztunnel-x', 'worker-a', {
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'ds', controller: true },
      ],
    }),
  );
  fake.put(pod('static-worker-a', 'worker-a', { annotations: { 'kubernetes.io/config.mirror': 'hash' } }));
});
afterEach(async () => {
  await fake.close();
});

const nodeSpec = () =>
  (fake.get('v1', 'Node', undefined, 'worker-a')?.spec ?? {}) as { unschedulable?: boolean };
const evictions = () => fake.requestsTo('POST', /\/pods\/[^/]+\/eviction$/);

describe('nodes', () => {
  it('lists worker nodes sorted by name, without the control plane (fake API server)', async () => {
    expect((await listWorkerNodes(kube)).map((n) => n.metadata?.name)).toEqual(['worker-a', 'worker-b']);
  });
});

describe('drainNode', () => {
  it('evicts through a PDB 429 then succeeds, skipping DaemonSet and mirror pods (fake API server)', async () => {
    let refusals = 2;
    fake.evictionBlocker = () => (refusals-- > 0 ? 'web-pdb' : undefined);
    fake.terminatingReads = 2; // the evicted pod lingers as terminating for a couple of reads
    const clock = instantClock();
    const result = await drainNode(kube, 'worker-a', {
      timeoutMs: 60_000,
      ignoreDaemonSets: true,
      deleteEmptyDirData: true,
      clock,
    });
    expect(result.evicted.map((p) => p.name)).toEqual(['web-1']);
    expect(result.skipped.map((p) => [p.name, p.reason])).toEqual([
      ['static-worker-a', 'mirror'],
      ['ztunnel-x', 'daemonset'],
    ]);
    expect(evictions().map((r) => r.path)).toEqual([
      '/api/v1/namespaces/demo/pods/web-1/eviction',
      '/api/v1/namespaces/demo/pods/web-1/eviction',
      '/api/v1/namespaces/demo/pods/web-1/eviction',
    ]);
    const body = JSON.parse(evictions()[0]?.body ?? '{}');
    expect(body).toMatchObject({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      deleteOptions: { preconditions: { uid: expect.any(String) } },
    });
    expect(fake.get('v1', 'Pod', 'demo', 'web-1')).toBeUndefined();
    expect(fake.get('v1', 'Pod', 'demo', 'web-2')).toBeDefined();
    expect(nodeSpec().unschedulable).toBe(true);
    await uncordon(kube, 'worker-a');
    expect(nodeSpec().unschedulable).toBeUndefined();
  });

  it('times out on a PDB that never allows, naming the pod and the PDB (fake API server)', async () => {
    fake.evictionBlocker = () => 'web-pdb';
    const error = await drainNode(kube, 'worker-a', {
      timeoutMs: 30_000,
      retryIntervalMs: 5_000,
      ignoreDaemonSets: true,
      deleteEmptyDirData: true,
      clock: instantClock(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeout);
    expect((error as Error).message).toBe(
      'timed out after 30s waiting for eviction of 1 pod(s) from node worker-a; last seen: pod demo/web-1 blocked by PodDisruptionBudget demo/web-pdb: The disruption budget web-pdb needs 1 healthy pods and has 1 currently',
    );
    expect(evictions()).toHaveLength(7); // at 0, 5, … 30 s
    expect(fake.get('v1', 'Pod', 'demo', 'web-1')).toBeDefined();
  });

  it('refuses pods without a controller unless forced (fake API server)', async () => {
    fake.put(pod('bare', 'worker-a', { ownerReferences: [] }));
    const options = {
      timeoutMs: 10_000,
      ignoreDaemonSets: true,
      deleteEmptyDirData: true,
      clock: instantClock(),
    } as const;
    await expect(drainNode(kube, 'worker-a', options)).rejects.toThrow(
      'drain worker-a: pods without a controller would not come back: demo/bare — delete them or pass force',
    );
    expect(evictions()).toHaveLength(0);
    const result = await drainNode(kube, 'worker-a', { ...options, force: true });
    expect(result.evicted.map((p) => p.name).sort()).toEqual(['bare', 'web-1']);
  });
});

describe('skipReasonOf', () => {
  it('keeps ordinary pods and skips completed ones', () => {
    expect(skipReasonOf({ metadata: { name: 'a' }, status: { phase: 'Running' } })).toBeUndefined();
    expect(skipReasonOf({ metadata: { name: 'a' }, status: { phase: 'Succeeded' } })).toBe('completed');
  });
});
