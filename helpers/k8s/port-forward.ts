import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { PortForward, type V1Pod } from '@kubernetes/client-node';
import { describeApiError } from './api-error.ts';
import type { Kube } from './client.ts';
import { listPods } from './read.ts';
import { withRetry } from './retry.ts';

export interface PortForwardHandle {
  /** The local port on 127.0.0.1 that reaches the pod port. */
  localPort: number;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
  /** Errors the API reported on the error channel or while connecting, most recent last (kept for evidence). */
  errors: readonly string[];
}

/** Running, Ready, not terminating. */
export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.phase !== 'Running') return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Picks a Ready pod (first by name, so the choice is repeatable) among `pods`; undefined when none is. */
export function pickReadyPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods]
    .filter(isPodReady)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The Ready pod behind a Service (its selector) or a label selector; throws naming the selector if none. */
export async function readyPodFor(
  kube: Kube,
  target: { namespace: string } & ({ service: string } | { labelSelector: string }),
): Promise<V1Pod> {
  let labelSelector: string;
  if ('service' in target) {
    const service = await withRetry(`get Service ${target.namespace}/${target.service}`, () =>
      kube.core.readNamespacedService({ namespace: target.namespace, name: target.service }),
    );
    const selector = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      throw new Error(`Service ${target.namespace}/${target.service} has no selector; no pod to forward to`);
    }
    labelSelector = selectorText(selector);
  } else {
    labelSelector = target.labelSelector;
  }
  const pods = await listPods(kube, { namespace: target.namespace, labelSelector });
  const pod = pickReadyPod(pods);
  if (!pod) {
    const seen = pods.map((p) => `${p.metadata?.name} (${p.status?.phase ?? 'no phase'})`).join(', ');
    throw new Error(
      `no Ready pod in ${target.namespace} matching ${labelSelector}; pods seen: ${seen || 'none'}`,
    );
  }
  return pod;
}

/**
 * Forwards an ephemeral local port to `port` of a pod. Each local connection opens its own port-forward
 * websocket (client-node forwards one connection per socket), so concurrent HTTP requests work.
 */
export async function forwardPort(
  kube: Kube,
  target: { namespace: string; pod: string; port: number },
): Promise<PortForwardHandle> {
  const forward = new PortForward(kube.config);
  const errors: string[] = [];
  const sockets = new Set<Socket>();
  const note = (text: string): void => {
    errors.push(text);
    if (errors.length > 20) errors.shift();
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const errorChannel = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        // The channel opens with the port number (stripped by client-node, leaving an empty write): not an error.
        const text = chunk.toString('utf8').trim();
        if (text) {
          note(`${target.namespace}/${target.pod}:${target.port}: ${text}`);
          socket.destroy();
        }
        callback();
      },
    });
    forward.portForward(target.namespace, target.pod, [target.port], socket, errorChannel, socket).then(
      (ws) => {
        if (typeof ws === 'function') return; // only with retryCount > 0, which is not used
        ws.on('close', () => socket.end());
        socket.on('close', () => ws.close());
      },
      (error: unknown) => {
        note(`connect to ${target.namespace}/${target.pod}:${target.port}: ${describeApiError(error)}`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('port-forward: no local port bound');
  return {
    localPort: address.port,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
