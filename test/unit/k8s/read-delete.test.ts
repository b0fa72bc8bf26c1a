import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { deleteObject, waitGone } from '../../../helpers/k8s/delete.ts';
import { getObject, listObjects, listPods } from '../../../helpers/k8s/read.ts';
import { WaitTimeout } from '../../../helpers/k8s/wait.ts';
import { instantClock } from '../../support/fake-api-clock.ts';
import { FakeApiServer, type StoredObject } from '../../support/fake-apiserver.ts';

const cm = (name: string, labels: Record<string, string>): StoredObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'demo', labels },
  data: { k: 'v' },
});
const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'demo', name: 'a' };

let fake: FakeApiServer;
let kube: Kube;
beforeEach(async () => {
  fake = await FakeApiServer.start();
  kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  fake.put(cm('a', { team: 'x' }));
  fake.put(cm('b', { team: 'y' }));
});
afterEach(async () => {
  await fake.close();
});

describe('read', () => {
  it('gets an object as raw JSON and undefined on 404 (fake API server)', async () => {
    expect((await getObject(kube, ref))?.data).toEqual({ k: 'v' });
    expect(await getObject(kube, { ...ref, name: 'missing' })).toBeUndefined();
  });

  it('lists by label selector with complete items (fake API server)', async () => {
    const items = await listObjects(kube, 'v1', 'ConfigMap', { namespace: 'demo', labelSelector: 'team=y' });
    expect(items.map((o) => [o.kind, o.metadata.name])).toEqual([['ConfigMap', 'b']]);
    expect(fake.requests.at(-1)?.query.get('labelSelector')).toBe('team=y');
  });

  it('retries a transient read failure (fake API server)', async () => {
    fake.fail({ method: 'GET', path: '/api/v1/namespaces/demo/configmaps/a', status: 500 });
    expect(await getObject(kube, ref, { clock: instantClock() })).toBeDefined();
  });

  it('lists typed pods by field selector (fake API server)', async () => {
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'demo' },
      spec: { nodeName: 'w1' },
    });
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'q', namespace: 'demo' },
      spec: { nodeName: 'w2' },
    });
    const pods = await listPods(kube, { fieldSelector: 'spec.nodeName=w2' });
    expect(pods.map((p) => p.metadata?.name)).toEqual(['q']);
  });
});

describe('delete', () => {
  it('deletes and reports false when already gone (fake API server)', async () => {
    expect(await deleteObject(kube, ref)).toBe(true);
    expect(await deleteObject(kube, ref)).toBe(false);
    expect(fake.get('v1', 'ConfigMap', 'demo', 'a')).toBeUndefined();
  });

  it('waitGone times out naming the object and its state (fake API server)', async () => {
    fake.put({
      ...cm('a', {}),
      metadata: { name: 'a', namespace: 'demo', deletionTimestamp: '2025-01-01T00:00:00Z' },
    });
    const error = await waitGone(kube, ref, {
      timeoutMs: 3_000,
      intervalMs: 1_000,
      clock: instantClock(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeout);
    expect((error as Error).message).toBe(
      'timed out after 3s waiting for ConfigMap demo/a to be gone; last seen: terminating since 2025-01-01T00:00:00Z',
    );
  });

  it('waitGone accepts a recreated object with another UID (fake API server)', async () => {
    const before = fake.get('v1', 'ConfigMap', 'demo', 'a');
    fake.remove('v1', 'ConfigMap', 'demo', 'a');
    fake.put(cm('a', {}));
    await waitGone(kube, ref, { timeoutMs: 1_000, clock: instantClock(), uid: String(before?.metadata.uid) });
  });
});
