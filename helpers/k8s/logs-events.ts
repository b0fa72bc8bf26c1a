import type { CoreV1Event } from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import { listEvents } from './read.ts';
import { redact } from './redact.ts';
import { withRetry } from './retry.ts';

/** The last `tailLines` lines of a container's log (`previous`: of its last terminated instance). */
export async function tailLogs(
  kube: Kube,
  target: { namespace: string; pod: string; container?: string; tailLines: number; previous?: boolean },
): Promise<string> {
  const request: Parameters<Kube['core']['readNamespacedPodLog']>[0] = {
    namespace: target.namespace,
    name: target.pod,
    tailLines: target.tailLines,
  };
  if (target.container !== undefined) request.container = target.container;
  if (target.previous) request.previous = true;
  const what = `logs of ${target.namespace}/${target.pod}${target.container ? `[${target.container}]` : ''}`;
  return withRetry(what, () => kube.core.readNamespacedPodLog(request));
}

function timeOf(event: CoreV1Event): number {
  const t =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
}

/** Oldest first, by lastTimestamp (falling back to eventTime, firstTimestamp, creation). Pure. */
export function sortEvents(events: readonly CoreV1Event[]): CoreV1Event[] {
  return [...events].sort((a, b) => timeOf(a) - timeOf(b));
}

/** `2025-01-02T03:04:05.000Z Warning BackOff Pod/ns/name: message (x3)`. Pure. */
export function formatEvent(event: CoreV1Event): string {
  const t = timeOf(event);
  const when = t === 0 ? '(no time)' : new Date(t).toISOString();
  const o = event.involvedObject;
  const object = `${o.kind ?? '?'}/${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '?'}`;
  const count = event.count !== undefined && event.count > 1 ? ` (x${event.count})` : '';
  const message = (event.message ?? '').replace(/\s+/g, ' ').trim();
  return redact(`${when} ${event.type ?? 'Normal'} ${event.reason ?? ''} ${object}: ${message}${count}`);
}

/** Recent events of a namespace, optionally of one object, formatted one per line, oldest first. */
export async function recentEvents(
  kube: Kube,
  query: { namespace: string; object?: { kind: string; name: string }; limit?: number },
): Promise<string[]> {
  const fieldSelector = query.object
    ? `involvedObject.kind=${query.object.kind},involvedObject.name=${query.object.name}`
    : undefined;
  const events = await listEvents(
    kube,
    fieldSelector === undefined
      ? { namespace: query.namespace }
      : { namespace: query.namespace, fieldSelector },
  );
  const sorted = sortEvents(events);
  return sorted.slice(Math.max(0, sorted.length - (query.limit ?? 200))).map(formatEvent);
}
