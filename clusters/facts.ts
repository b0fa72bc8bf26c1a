import { ApisApi, AppsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/** How a Sail operator that the suite did not install got there. */
export type OperatorInstall =
  | { readonly via: 'olm'; readonly namespace: string; readonly name: string }
  | { readonly via: 'deployment'; readonly namespace: string; readonly name: string };

/**
 * What the installer needs to know about the cluster. `operatorPreinstalled` set means: do not `helm install`
 * the operator (and helm is not a prerequisite).
 */
export interface ProviderFacts {
  readonly openshift: boolean;
  readonly operatorPreinstalled: OperatorInstall | undefined;
}

export const NO_FACTS: ProviderFacts = { openshift: false, operatorPreinstalled: undefined };

const OPENSHIFT_GROUPS = ['config.openshift.io', 'route.openshift.io'] as const;
const OLM_GROUP = 'operators.coreos.com';
const SAIL_GROUP = 'sailoperator.io';
/** OLM package name of the community operator (FACTS §3). */
const SAIL_PACKAGE = 'sailoperator';
/** Deployment names of the Helm chart / OLM bundle (`sail-operator`) and of the OSSM 3 build. */
const OPERATOR_DEPLOYMENTS = ['sail-operator', 'servicemesh-operator3'] as const;

const Listed = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
      spec: z.object({ name: z.string().optional() }).optional(),
      status: z.object({ phase: z.string().optional() }).optional(),
    }),
  ),
});

/** Pure decision over what the API listed; tested without a cluster. */
export function decideFacts(input: {
  groups: readonly string[];
  subscriptions: z.infer<typeof Listed>['items'];
  csvs: z.infer<typeof Listed>['items'];
  deployments: readonly { name: string; namespace: string }[];
}): ProviderFacts {
  const openshift = OPENSHIFT_GROUPS.some((g) => input.groups.includes(g));
  const sub = input.subscriptions.find((s) => s.spec?.name === SAIL_PACKAGE);
  if (sub) {
    return {
      openshift,
      operatorPreinstalled: { via: 'olm', namespace: sub.metadata.namespace ?? '', name: sub.metadata.name },
    };
  }
  const csv = input.csvs.find(
    (c) => c.metadata.name.startsWith(`${SAIL_PACKAGE}.`) && c.status?.phase === 'Succeeded',
  );
  if (csv) {
    return {
      openshift,
      operatorPreinstalled: { via: 'olm', namespace: csv.metadata.namespace ?? '', name: csv.metadata.name },
    };
  }
  const deployment = input.groups.includes(SAIL_GROUP) ? input.deployments[0] : undefined;
  return { openshift, operatorPreinstalled: deployment ? { via: 'deployment', ...deployment } : undefined };
}

/**
 * Reads the facts through client-node: API groups (OpenShift, OLM, Sail CRDs present), then OLM Subscriptions and
 * CSVs, then the operator Deployment. Lists the suite may not read count as absent.
 */
export async function detectFacts(kubeconfig: KubeConfig): Promise<ProviderFacts> {
  const groupList = await kubeconfig.makeApiClient(ApisApi).getAPIVersions();
  const groups = groupList.groups.map((g) => g.name);
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const listOlm = async (plural: string) => {
    if (!groups.includes(OLM_GROUP)) return [];
    try {
      const raw: unknown = await custom.listClusterCustomObject({
        group: OLM_GROUP,
        version: 'v1alpha1',
        plural,
      });
      return Listed.parse(raw).items;
    } catch {
      return [];
    }
  };
  const listDeployments = async () => {
    if (!groups.includes(SAIL_GROUP)) return [];
    const apps = kubeconfig.makeApiClient(AppsV1Api);
    const found: { name: string; namespace: string }[] = [];
    for (const name of OPERATOR_DEPLOYMENTS) {
      try {
        const list = await apps.listDeploymentForAllNamespaces({ fieldSelector: `metadata.name=${name}` });
        for (const d of list.items) found.push({ name, namespace: d.metadata?.namespace ?? '' });
      } catch {
        // not readable: treated as absent
      }
    }
    return found;
  };
  const [subscriptions, csvs, deployments] = await Promise.all([
    listOlm('subscriptions'),
    listOlm('clusterserviceversions'),
    listDeployments(),
  ]);
  return decideFacts({ groups, subscriptions, csvs, deployments });
}

export function describeFacts(facts: ProviderFacts): string {
  const platform = facts.openshift ? 'OpenShift' : 'Kubernetes';
  const op = facts.operatorPreinstalled;
  if (!op) return `${platform}; Sail operator not installed (Helm install planned)`;
  const how = op.via === 'olm' ? `OLM (${op.name})` : `Deployment ${op.name}`;
  return `${platform}; Sail operator already installed via ${how} in ${op.namespace} (Helm install skipped)`;
}
