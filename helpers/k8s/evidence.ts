import type { V1Pod } from '@kubernetes/client-node';
import { describeApiError } from './api-error.ts';
import type { Kube } from './client.ts';
import { recentEvents, tailLogs } from './logs-events.ts';
import { listPods } from './read.ts';
import { redact } from './redact.ts';

export interface EvidenceItem {
  name: string;
  contentType: 'text/plain' | 'application/json';
  body: string;
}

export interface EvidenceQuery {
  namespaces: readonly string[];
  /** Label selectors whose pods get log tails; all pods of the namespaces when absent. */
  podSelectors?: readonly string[];
  tailLines: number;
}

/** `name phase ready=1/2 restarts=3 node=worker`. Pure. */
export function podLine(pod: V1Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((s) => s.ready).length;
  const restarts = statuses.reduce((n, s) => n + s.restartCount, 0);
  const deleting = pod.metadata?.deletionTimestamp ? ' terminating' : '';
  return `${pod.metadata?.name} ${pod.status?.phase ?? 'Unknown'}${deleting} ready=${ready}/${statuses.length} restarts=${restarts} node=${pod.spec?.nodeName ?? '(unscheduled)'}`;
}

async function attempt(
  items: EvidenceItem[],
  name: string,
  collect: () => Promise<EvidenceItem[]>,
): Promise<void> {
  try {
    items.push(...(await collect()));
  } catch (error) {
    // Evidence is gathered when something already failed: record what could not be read and carry on.
    items.push({ name: `${name}.error.txt`, contentType: 'text/plain', body: describeApiError(error) });
  }
}

/**
 * Pods (phase, readiness, restarts, node), recent events and log tails of every container, per namespace.
 * Never throws: a part that cannot be read becomes an `.error.txt` item.
 */
export async function collectEvidence(kube: Kube, query: EvidenceQuery): Promise<EvidenceItem[]> {
  const items: EvidenceItem[] = [];
  for (const namespace of query.namespaces) {
    await attempt(items, `${namespace}/pods`, async () => {
      const pods = await listPods(kube, { namespace });
      return [
        {
          name: `${namespace}/pods.txt`,
          contentType: 'text/plain',
          body: `${pods.map(podLine).join('\n')}\n`,
        },
      ];
    });
    await attempt(items, `${namespace}/events`, async () => [
      {
        name: `${namespace}/events.txt`,
        contentType: 'text/plain',
        body: `${(await recentEvents(kube, { namespace })).join('\n')}\n`,
      },
    ]);
    const selectors = query.podSelectors ?? [undefined];
    for (const labelSelector of selectors) {
      await attempt(items, `${namespace}/logs${labelSelector ? `-${labelSelector}` : ''}`, async () => {
        const pods = await listPods(kube, labelSelector ? { namespace, labelSelector } : { namespace });
        const logs: EvidenceItem[] = [];
        for (const pod of pods) {
          const name = pod.metadata?.name ?? '';
          for (const container of pod.spec?.containers ?? []) {
            await attempt(logs, `${namespace}/logs/${name}/${container.name}`, async () => [
              {
                name: `${namespace}/logs/${name}/${container.name}.log`,
                contentType: 'text/plain',
                body: redact(
                  await tailLogs(kube, {
                    namespace,
                    pod: name,
                    container: container.name,
                    tailLines: query.tailLines,
                  }),
                ),
              },
            ]);
          }
        }
        return logs;
      });
    }
  }
  return items;
}
