import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { UserError } from '../errors.ts';
import { RawObjectClient } from './object-client.ts';
import { redact } from './redact.ts';

/** A connection to one cluster: the config plus the API clients the helpers use. */
export interface Kube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly custom: CustomObjectsApi;
  /** client-node's generic object API (model-serialized; prefer `raw` for apply). */
  readonly objects: KubernetesObjectApi;
  /** Raw-JSON requests with discovery-based paths; what apply/read/delete/watch use. */
  readonly raw: RawObjectClient;
}

export interface ConnectOptions {
  /** A kubeconfig file. The user's default kubeconfig is never read unless it is passed here. */
  kubeconfigPath?: string;
  /** Kubeconfig text (e.g. from `kind get kubeconfig`), instead of a file. */
  kubeconfigYaml?: string;
  /** A context of that kubeconfig; its current context when absent. */
  context?: string;
  /** Use the pod's service account (only when running inside a cluster). */
  inCluster?: boolean;
}

function loadConfig(options: ConnectOptions): KubeConfig {
  const config = new KubeConfig();
  const sources = [options.kubeconfigPath, options.kubeconfigYaml, options.inCluster || undefined].filter(
    (s) => s !== undefined,
  );
  if (sources.length !== 1) {
    throw new UserError(
      'no kubeconfig given — pass exactly one of a kubeconfig path, kubeconfig text or in-cluster mode',
    );
  }
  try {
    if (options.kubeconfigPath !== undefined) config.loadFromFile(options.kubeconfigPath);
    else if (options.kubeconfigYaml !== undefined) config.loadFromString(options.kubeconfigYaml);
    else config.loadFromCluster();
  } catch (error) {
    const where = options.kubeconfigPath ?? (options.inCluster ? 'in-cluster config' : 'kubeconfig text');
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError(`cannot load kubeconfig ${where}: ${redact(why)} — check the file`, { cause: error });
  }
  return config;
}

/** Connects to a cluster from an explicit kubeconfig; no request is made until a helper is called. */
export function connect(options: ConnectOptions): Kube {
  const config = loadConfig(options);
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known = config
        .getContexts()
        .map((c) => c.name)
        .join(', ');
      throw new UserError(
        `context "${options.context}" not found in the kubeconfig — use one of: ${known || '(none)'}`,
      );
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new UserError('the kubeconfig has no current cluster — pass a context that names one');
  }
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    policy: config.makeApiClient(PolicyV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
    raw: RawObjectClient.forConfig(config),
  };
}

/** Which cluster a handle points at, safe to print: no credentials, no URL path or query. */
export interface ClusterDescription {
  context: string;
  cluster: string;
  /** host[:port] of the API server. */
  server: string;
  user: string;
}

export function describeCluster(kube: Kube): ClusterDescription {
  const cluster = kube.config.getCurrentCluster();
  let server = '(unknown)';
  if (cluster) {
    try {
      server = new URL(cluster.server).host;
    } catch {
      server = '(unparseable server URL)';
    }
  }
  return {
    context: kube.config.getCurrentContext(),
    cluster: cluster?.name ?? '(none)',
    server,
    user: kube.config.getCurrentUser()?.name ?? '(none)',
  };
}
