import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../../helpers/errors.ts';
import { connect, type Kube } from '../../helpers/k8s/client.ts';

export interface ResolvedKubeconfig {
  readonly kube: Kube;
  readonly kubeconfig: KubeConfig;
  readonly path: string;
  readonly context: string;
  /** API server URL without user info or query: safe to print. */
  readonly server: string;
}

/**
 * Loads a kubeconfig file and resolves the context the suite would use. Errors name the file and the context,
 * never a credential (helpers/k8s/client.ts redacts parser messages).
 */
export function resolveKubeconfig(path: string, context: string | undefined): ResolvedKubeconfig {
  if (!existsSync(path)) {
    throw new UserError(
      `kubeconfig ${path} not found — pass --kubeconfig <file> naming a readable kubeconfig`,
    );
  }
  // client-node reads an empty file as "Cannot read properties of undefined": say what is wrong instead.
  if (readFileSync(path, 'utf8').trim() === '') {
    throw new UserError(
      `kubeconfig ${path} is empty — pass --kubeconfig <file> with a cluster, a user and a context (e.g. after oc login or kind export kubeconfig)`,
    );
  }
  const kube = connect(context === undefined ? { kubeconfigPath: path } : { kubeconfigPath: path, context });
  const chosen = kube.config.getCurrentContext();
  const cluster = kube.config.getCurrentCluster();
  if (!chosen || !cluster) {
    throw new UserError(`kubeconfig ${path} has no usable current-context — pass --context <name>`);
  }
  return { kube, kubeconfig: kube.config, path, context: chosen, server: safeServer(cluster.server) };
}

/** Drops user:password@ and query strings from a server URL before it is printed. */
export function safeServer(server: string): string {
  try {
    const url = new URL(server);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(unparseable server URL)';
  }
}

/**
 * The safety gate: the suite changes an existing cluster only when `--allow-cluster` names the resolved context.
 * Checked before anything is written.
 */
export function assertClusterAllowed(context: string, allowCluster: string | undefined): void {
  if (allowCluster === context) return;
  if (allowCluster === undefined) {
    throw new UserError(
      `refusing to modify existing cluster context "${context}" — pass --allow-cluster ${context} to let the suite install and upgrade Istio there`,
    );
  }
  throw new UserError(
    `--allow-cluster "${allowCluster}" does not match the resolved context "${context}" — pass --allow-cluster ${context}, or --context ${allowCluster}`,
  );
}
