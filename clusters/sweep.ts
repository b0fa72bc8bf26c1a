import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { runLabelSelector } from './run-id.ts';

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
export async function sweepRunObjects(kubeconfig: KubeConfig, runId: string): Promise<string[]> {
  const labelSelector = runLabelSelector(runId);
  const deleted: string[] = [];
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
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
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const namespaces = await core.listNamespace({ labelSelector });
  for (const ns of namespaces.items) {
    const name = ns.metadata?.name;
    if (!name) continue;
    try {
      await core.deleteNamespace({ name });
      deleted.push(`namespaces/${name}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return deleted;
}
