import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { collectionPath } from '../../../helpers/k8s/read.ts';
import { WaitTimeout } from '../../../helpers/k8s/wait.ts';
import { waitForDeploymentRollout, watchUntil } from '../../../helpers/k8s/watch.ts';
import { ManualClock } from '../../support/fake-api-clock.ts';
import { FakeApiServer, type StoredObject } from '../../support/fake-apiserver.ts';

function deployment(status: Record<string, number>, generation = 2): StoredObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo', generation },
    spec: { replicas: 3 },
    status,
  };
}

const progressing = { observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 };
const halfway = { observedGeneration: 2, replicas: 4, updatedReplicas: 2, availableReplicas: 3 };
const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };

let fake: FakeApiServer;
let kube: Kube;
let clock: ManualClock;
beforeEach(async () => {
  fake = await FakeApiServer.start();
  kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  clock = new ManualClock();
});
afterEach(async () => {
  await fake.close();
});

const watchRequests = () => fake.requests.filter((r) => r.query.get('watch') === 'true');
const listRequests = () =>
  fake.requestsTo('GET', '/apis/apps/v1/namespaces/demo/deployments').filter((r) => !r.query.has('watch'));
// vi.waitFor gives up after 1 s by default: a loaded CI machine can take longer to deliver a request.
const SEEN = { timeout: 15_000 };
const watchOpen = (n: number) =>
  vi.waitFor(() => expect(watchRequests().length).toBeGreaterThanOrEqual(n), SEEN);

describe('watchUntil', () => {
  it('succeeds after a few watch events (fake API server)', async () => {
    fake.put(deployment(progressing));
    const waiting = waitForDeploymentRollout(kube, 'demo', 'web', { timeoutMs: 60_000, clock });
    await watchOpen(1);
    fake.put(deployment(halfway));
    fake.put(deployment(done));
    const result = await waiting;
    expect(result.status?.updatedReplicas).toBe(3);
    expect(listRequests()).toHaveLength(1);
    const [watch] = watchRequests();
    expect(watch?.query.get('fieldSelector')).toBe('metadata.name=web');
    expect(watch?.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch?.query.get('resourceVersion'))).toBeGreaterThan(0);
  });

  it('returns at once when the list already satisfies the predicate (fake API server)', async () => {
    fake.put(deployment(done));
    await waitForDeploymentRollout(kube, 'demo', 'web', { timeoutMs: 60_000, clock });
    expect(watchRequests()).toHaveLength(0);
  });

  it('re-lists after a 410 Gone and then sees the change (fake API server)', async () => {
    fake.put(deployment(progressing));
    const waiting = waitForDeploymentRollout(kube, 'demo', 'web', { timeoutMs: 60_000, clock });
    await watchOpen(1);
    fake.expireWatches();
    await watchOpen(2);
    expect(listRequests()).toHaveLength(2);
    fake.put(deployment(done));
    await waiting;
  });

  it('re-lists when the watch request itself starts below the compacted revision (fake API server)', async () => {
    fake.put(deployment(progressing));
    fake.compactedBelow = Number.MAX_SAFE_INTEGER; // every resourceVersion is too old for the first watch
    const waiting = waitForDeploymentRollout(kube, 'demo', 'web', { timeoutMs: 60_000, clock });
    await vi.waitFor(() => expect(listRequests().length).toBeGreaterThanOrEqual(2), SEEN);
    fake.compactedBelow = 0;
    await watchOpen(3);
    fake.put(deployment(done));
    await waiting;
  });

  it('resumes from the last resourceVersion when the watch ends (fake API server)', async () => {
    fake.put(deployment(progressing));
    const path = await collectionPath(kube, 'apps/v1', 'Deployment', 'demo');
    const seenUpdated: number[] = [];
    const waiting = watchUntil<StoredObject>(
      kube,
      'web rolled out',
      { path },
      (objects) => {
        const updated = (objects[0]?.status as { updatedReplicas?: number } | undefined)?.updatedReplicas;
        if (updated !== undefined) seenUpdated.push(updated);
        return updated === 3;
      },
      { timeoutMs: 60_000, clock },
    );
    await watchOpen(1);
    const seen = fake.put(deployment(halfway));
    await vi.waitFor(() => expect(seenUpdated).toContain(2), SEEN);
    fake.endWatches();
    await watchOpen(2);
    const [, second] = watchRequests();
    expect(second?.query.get('resourceVersion')).toBe(seen.metadata.resourceVersion);
    expect(listRequests()).toHaveLength(1);
    fake.put(deployment(done));
    await waiting;
  });

  it('on timeout names what it waited for and what it saw last (fake API server)', async () => {
    fake.put(deployment(progressing));
    const waiting = waitForDeploymentRollout(kube, 'demo', 'web', { timeoutMs: 120_000, clock });
    const outcome = waiting.catch((e: unknown) => e);
    await watchOpen(1);
    clock.advance(120_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(WaitTimeout);
    expect((error as Error).message).toBe(
      'timed out after 120s waiting for Deployment demo/web; last seen: 1/3 updated, 3/3 available, 4 total: waiting for updated replicas',
    );
  });

  it('hands the predicate every object of a labelled collection (fake API server)', async () => {
    const pod = (name: string, ready: boolean): StoredObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'demo', labels: { app: 'web' } },
      status: { phase: ready ? 'Running' : 'Pending' },
    });
    fake.put(pod('a', true));
    fake.put(pod('b', false));
    fake.put({
      ...pod('other', false),
      metadata: { name: 'other', namespace: 'demo', labels: { app: 'x' } },
    });
    const path = await collectionPath(kube, 'v1', 'Pod', 'demo');
    const waiting = watchUntil<StoredObject>(
      kube,
      'web pods running',
      { path, query: { labelSelector: 'app=web' } },
      (pods) => ({
        done: pods.length === 2 && pods.every((p) => (p.status as { phase: string }).phase === 'Running'),
        detail: pods.map((p) => `${p.metadata.name}:${(p.status as { phase: string }).phase}`).join(','),
      }),
      { timeoutMs: 60_000, clock },
    );
    await watchOpen(1);
    fake.put(pod('b', true));
    const pods = await waiting;
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
  });
});
