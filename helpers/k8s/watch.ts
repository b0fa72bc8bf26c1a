import { Watch } from '@kubernetes/client-node';
import { apiStatusOf, describeApiError } from './api-error.ts';
import type { Kube } from './client.ts';
import { type Clock, systemClock } from './clock.ts';
import { collectionPath, type ListQuery, listObjectsAt } from './read.ts';
import { retryReason } from './retry.ts';
import {
  type DaemonSetLike,
  type DeploymentLike,
  daemonSetRolledOut,
  deploymentRolledOut,
  type Verdict,
} from './rollout.ts';
import { describeRef, type KubeObject, type ObjectRef } from './types.ts';
import { WaitTimeout } from './wait.ts';

/** A collection to watch: its path (see `collectionPath`) and selectors. */
export interface WatchTarget {
  path: string;
  query?: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>;
}

export interface WatchOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Pause before re-listing or re-watching after an error or an empty stream. */
  retryDelayMs?: number;
}

/** Judges the current objects of the collection (sorted by namespace/name) after the list and every event. */
export type WatchPredicate<T> = (objects: readonly T[]) => boolean | Verdict;

interface Watched {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

type Item =
  | { id: number; kind: 'event'; type: string; object: unknown }
  | { id: number; kind: 'end'; error: unknown };

/** Events from client-node callbacks, taken one at a time by the wait loop. */
class Inbox {
  private readonly items: Item[] = [];
  private wake: (() => void) | undefined;

  push(item: Item): void {
    this.items.push(item);
    this.wake?.();
  }

  async take(): Promise<Item> {
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

function keyOf(object: Watched): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function judge<T>(predicate: WatchPredicate<T>, state: Map<string, T>): Verdict {
  const objects = [...state.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => o);
  const result = predicate(objects);
  if (typeof result !== 'boolean') return result;
  const names = [...state.keys()].sort().join(', ') || 'none';
  return { done: result, detail: `${objects.length} object(s): ${names}` };
}

/**
 * Lists a collection, then watches it from the list's resourceVersion until `predicate` holds. A watch that ends
 * is resumed from the last resourceVersion seen (bookmarks included); a 410 Gone (history compacted) re-lists.
 * On timeout throws `WaitTimeout` with the predicate's last detail (or the last error).
 */
export async function watchUntil<T extends Watched = KubeObject>(
  kube: Kube,
  what: string,
  target: WatchTarget,
  predicate: WatchPredicate<T>,
  options: WatchOptions,
): Promise<T[]> {
  const { timeoutMs, signal, clock = systemClock, retryDelayMs = 1_000 } = options;
  signal?.throwIfAborted();
  const stopTimer = new AbortController();
  let lastSeen = 'nothing (no list completed)';
  const ended = new Promise<'deadline' | 'aborted'>((resolve) => {
    clock.sleep(timeoutMs, stopTimer.signal).then(
      () => resolve('deadline'),
      () => undefined,
    );
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const race = async <V>(pending: Promise<V>): Promise<V> => {
    const result = await Promise.race([pending.then((value) => ({ value })), ended]);
    if (result === 'deadline') throw new WaitTimeout(what, timeoutMs, lastSeen, String);
    if (result === 'aborted') throw signal?.reason ?? new Error(`${what}: aborted`);
    return result.value;
  };
  const inbox = new Inbox();
  const watch = new Watch(kube.config);
  let current: AbortController | undefined;
  let watchId = 0;
  const query = target.query ?? {};
  try {
    for (;;) {
      // List: the starting state and the resourceVersion to watch from.
      let list: Awaited<ReturnType<typeof listObjectsAt>>;
      try {
        list = await race(listObjectsAt(kube, target.path, query, { attempts: 1 }));
      } catch (error) {
        if (error instanceof WaitTimeout || signal?.aborted) throw error;
        if (retryReason(error, false) === undefined && apiStatusOf(error)) throw error;
        lastSeen = `list failed: ${describeApiError(error)}`;
        await race(clock.sleep(retryDelayMs));
        continue;
      }
      const state = new Map<string, T>();
      for (const item of list.items as unknown as T[]) state.set(keyOf(item), item);
      let resourceVersion = list.resourceVersion;
      let verdict = judge(predicate, state);
      lastSeen = verdict.detail;
      if (verdict.done) return [...state.values()];

      let relist = false;
      while (!relist) {
        const id = ++watchId;
        const params: Record<string, string | boolean> = { ...query, allowWatchBookmarks: true };
        if (resourceVersion) params.resourceVersion = resourceVersion;
        current = await race(
          watch.watch(
            target.path,
            params,
            (type, object) => inbox.push({ id, kind: 'event', type, object }),
            (error) => inbox.push({ id, kind: 'end', error }),
          ),
        );
        let events = 0;
        let failed = false;
        for (;;) {
          const item = await race(inbox.take());
          if (item.id !== id) continue; // from a watch already abandoned
          if (item.kind === 'end') {
            if (item.error) {
              if (apiStatusOf(item.error)?.code === 410) relist = true;
              else {
                failed = true;
                lastSeen = `${verdict.detail} (watch failed: ${describeApiError(item.error)})`;
              }
            }
            break;
          }
          events++;
          const object = item.object as Watched & { code?: number; message?: string };
          if (item.type === 'ERROR') {
            // A watch error event carries a Status; 410 means our resourceVersion is too old.
            if (object.code === 410) relist = true;
            else {
              failed = true;
              lastSeen = `${verdict.detail} (watch error: ${object.message ?? JSON.stringify(object)})`;
            }
            break;
          }
          resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
          if (item.type === 'BOOKMARK') continue;
          if (item.type === 'DELETED') state.delete(keyOf(object));
          else state.set(keyOf(object), object as T);
          verdict = judge(predicate, state);
          lastSeen = verdict.detail;
          if (verdict.done) return [...state.values()];
        }
        current.abort();
        current = undefined;
        // Back off when the stream failed or gave nothing, so a flapping API is not hammered.
        if (!relist && (failed || events === 0)) await race(clock.sleep(retryDelayMs));
      }
    }
  } finally {
    current?.abort();
    stopTimer.abort();
  }
}

/** Watches one object until `predicate` holds; the predicate sees `undefined` while the object does not exist. */
export async function watchObject<T extends Watched = KubeObject>(
  kube: Kube,
  ref: ObjectRef,
  predicate: (object: T | undefined) => boolean | Verdict,
  options: WatchOptions,
): Promise<T> {
  const path = await collectionPath(kube, ref.apiVersion, ref.kind, ref.namespace);
  const [object] = await watchUntil<T>(
    kube,
    describeRef(ref),
    { path, query: { fieldSelector: `metadata.name=${ref.name}` } },
    (objects) => {
      const verdict = predicate(objects[0]);
      if (typeof verdict !== 'boolean') return verdict;
      return { done: verdict, detail: objects[0] ? JSON.stringify(objects[0]).slice(0, 500) : 'not found' };
    },
    options,
  );
  if (!object) throw new Error(`${describeRef(ref)}: watch ended without the object`);
  return object;
}

function notFoundOr<T>(judge: (o: T) => Verdict): (o: T | undefined) => Verdict {
  return (o) => (o ? judge(o) : { done: false, detail: 'not found' });
}

/** Waits until a Deployment is rolled out (see `deploymentRolledOut`). */
export function waitForDeploymentRollout(
  kube: Kube,
  namespace: string,
  name: string,
  options: WatchOptions,
): Promise<DeploymentLike & Watched> {
  return watchObject<DeploymentLike & Watched>(
    kube,
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
    notFoundOr(deploymentRolledOut),
    options,
  );
}

/** Waits until a DaemonSet is rolled out (see `daemonSetRolledOut`). */
export function waitForDaemonSetRollout(
  kube: Kube,
  namespace: string,
  name: string,
  options: WatchOptions,
): Promise<DaemonSetLike & Watched> {
  return watchObject<DaemonSetLike & Watched>(
    kube,
    { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name },
    notFoundOr(daemonSetRolledOut),
    options,
  );
}
