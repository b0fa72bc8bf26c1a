import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { waitFor } from '../helpers/k8s/wait.ts';
import { runLabelSelector } from './run-id.ts';

/**
 * Namespaces the suite may label (the probe client's `default` must be ambient) but never deletes: there it
 * deletes only its own labelled objects.
 */
export const PROTECTED_NAMESPACES: ReadonlySet<string> = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

export interface SweepOptions {
  /** Wait until what was deleted is gone (Sail first, so the operator uninstalls its charts before namespaces go). */
  waitMs?: number;
  signal?: AbortSignal;
}

/** Cluster-scoped Sail kinds the suite creates; deleted before namespaces so the operator uninstalls charts. */
const SAIL_PLURALS = ['istiorevisiontags', 'ztunnels', 'istiocnis', 'istios'] as const;
const SAIL_GROUP = 'sailoperator.io';
const SAIL_VERSION = 'v1';

const Names = z.object({ items: z.array(z.object({ metadata: z.object({ name: z.string() }) })) });

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 404;
}

/**
 * Deletes what one run left on a cluster: Sail custom resources and namespaces carrying the suite's managed-by
 * label and this run's id. Objects of other runs and anything unlabelled are never touched.
 * Returns what was deleted, as `kind/name`.
 */
export async function sweepRunObjects(
  kubeconfig: KubeConfig,
  runId: string,
  options: SweepOptions = {},
): Promise<string[]> {
  const labelSelector = runLabelSelector(runId);
  const deleted: string[] = [];
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const sailDeleted: { plural: string; name: string }[] = [];
  for (const plural of SAIL_PLURALS) {
    let raw: unknown;
    try {
      raw = await custom.listClusterCustomObject({
        group: SAIL_GROUP,
        version: SAIL_VERSION,
        plural,
        labelSelector,
      });
    } catch (error) {
      if (isNotFound(error)) continue; // Sail CRDs not installed: nothing of this kind to sweep
      throw error;
    }
    for (const item of Names.parse(raw).items) {
      try {
        await custom.deleteClusterCustomObject({
          group: SAIL_GROUP,
          version: SAIL_VERSION,
          plural,
          name: item.metadata.name,
        });
        deleted.push(`${plural}/${item.metadata.name}`);
        sailDeleted.push({ plural, name: item.metadata.name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
  const gone = async (what: string, exists: () => Promise<boolean>) => {
    if (options.waitMs === undefined) return;
    await waitFor(what, exists, (present) => !present, {
      timeoutMs: options.waitMs,
      intervalMs: 2_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
  const stillThere = (read: () => Promise<unknown>) => async () => {
    try {
      await read();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  };
  for (const { plural, name } of sailDeleted) {
    await gone(
      `${plural}/${name} to be uninstalled`,
      stillThere(() =>
        custom.getClusterCustomObject({ group: SAIL_GROUP, version: SAIL_VERSION, plural, name }),
      ),
    );
  }
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const namespaces = await core.listNamespace({ labelSelector });
  const namespacesDeleted: string[] = [];
  for (const ns of namespaces.items) {
    const name = ns.metadata?.name;
    if (!name) continue;
    if (PROTECTED_NAMESPACES.has(name)) {
      deleted.push(...(await deleteLabelledIn(kubeconfig, name, labelSelector)));
      continue;
    }
    try {
      await core.deleteNamespace({ name });
      deleted.push(`namespaces/${name}`);
      namespacesDeleted.push(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  for (const name of namespacesDeleted) {
    await gone(
      `namespace ${name} to be deleted`,
      stillThere(() => core.readNamespace({ name })),
    );
  }
  return deleted;
}

/** The suite's labelled objects inside a namespace it must not delete (kinds the builders create there). */
async function deleteLabelledIn(
  kubeconfig: KubeConfig,
  namespace: string,
  labelSelector: string,
): Promise<string[]> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const policy = kubeconfig.makeApiClient(PolicyV1Api);
  const kinds: {
    kind: string;
    list: () => Promise<{ items: { metadata?: { name?: string } }[] }>;
    remove: (name: string) => Promise<unknown>;
  }[] = [
    {
      kind: 'deployments',
      list: () => apps.listNamespacedDeployment({ namespace, labelSelector }),
      remove: (name) => apps.deleteNamespacedDeployment({ namespace, name }),
    },
    {
      kind: 'services',
      list: () => core.listNamespacedService({ namespace, labelSelector }),
      remove: (name) => core.deleteNamespacedService({ namespace, name }),
    },
    {
      kind: 'configmaps',
      list: () => core.listNamespacedConfigMap({ namespace, labelSelector }),
      remove: (name) => core.deleteNamespacedConfigMap({ namespace, name }),
    },
    {
      kind: 'serviceaccounts',
      list: () => core.listNamespacedServiceAccount({ namespace, labelSelector }),
      remove: (name) => core.deleteNamespacedServiceAccount({ namespace, name }),
    },
    {
      kind: 'poddisruptionbudgets',
      list: () => policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector }),
      remove: (name) => policy.deleteNamespacedPodDisruptionBudget({ namespace, name }),
    },
  ];
  const deleted: string[] = [];
  for (const { kind, list, remove } of kinds) {
    for (const item of (await list()).items) {
      const name = item.metadata?.name;
      if (!name) continue;
      try {
        await remove(name);
        deleted.push(`${namespace}/${kind}/${name}`);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
  return deleted;
}
