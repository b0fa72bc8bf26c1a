import type { V1Node } from '@kubernetes/client-node';
import { connect } from '../../helpers/k8s/client.ts';
import { isNodeReady } from '../../helpers/k8s/nodes.ts';
import { waitFor } from '../../helpers/k8s/wait.ts';

/**
 * How long a fresh kind cluster gets for every node to be Ready. `kind create cluster --wait` covers only the
 * control plane and exits 0 when its own wait runs out; workers are often NotReady (CNI still starting) then.
 */
export const NODES_READY_TIMEOUT_MS = 5 * 60_000;

export interface NodeReadiness {
  readonly done: boolean;
  /** One line: how many are Ready and, for every node that is not, its non-healthy conditions. */
  readonly detail: string;
}

function conditionsOf(node: V1Node): string {
  const conditions = node.status?.conditions ?? [];
  if (conditions.length === 0) return 'no conditions reported yet';
  // Ready plus any pressure/unavailable condition that holds: what a user needs to see why it is not Ready.
  return conditions
    .filter((c) => c.type === 'Ready' || c.status === 'True')
    .map(
      (c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`,
    )
    .join(', ');
}

/** Pure: every one of `expected` nodes registered and Ready. */
export function nodeReadiness(nodes: readonly V1Node[], expected: number): NodeReadiness {
  const ready = nodes.filter(isNodeReady);
  const notReady = nodes.filter((n) => !isNodeReady(n));
  const parts = [`${ready.length}/${expected} nodes Ready`];
  if (nodes.length < expected) parts.push(`${nodes.length} of ${expected} registered`);
  for (const node of notReady) parts.push(`${node.metadata?.name ?? '?'}: ${conditionsOf(node)}`);
  return { done: nodes.length >= expected && notReady.length === 0, detail: parts.join('; ') };
}

export interface NodesReadyOptions {
  readonly expected: number;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/** Polls the cluster's Nodes until all `expected` are Ready; a timeout names each node's conditions. */
export async function waitForNodesReady(
  kubeconfigPath: string,
  options: NodesReadyOptions,
): Promise<NodeReadiness> {
  const kube = connect({ kubeconfigPath });
  return waitFor(
    `all ${options.expected} kind nodes Ready`,
    async () => nodeReadiness((await kube.core.listNode()).items, options.expected),
    (r) => r.done,
    {
      timeoutMs: options.timeoutMs ?? NODES_READY_TIMEOUT_MS,
      intervalMs: options.intervalMs ?? 2_000,
      signal: options.signal,
      describe: (last) =>
        last instanceof Error
          ? `error: ${last.message}`
          : ((last as NodeReadiness | undefined)?.detail ?? 'nothing (no read completed)'),
    },
  );
}
