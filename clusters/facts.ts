import { ApisApi, AppsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/**
 * How a Sail operator that the suite did not install got there, and the Deployment that runs it: the suite waits
 * on that Deployment, never on a name it assumed.
 */
export type OperatorInstall =
  | {
      readonly via: 'olm';
      readonly namespace: string;
      /** Subscription or CSV name. */
      readonly name: string;
      /** OLM package: the community `sailoperator` or OSSM 3's `servicemeshoperator3`. */
      readonly package: OlmPackage;
      readonly deployment: string;
    }
  | {
      readonly via: 'deployment';
      readonly namespace: string;
      readonly name: string;
      readonly deployment: string;
    };

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
/**
 * OLM packages of the operator and the Deployment each bundle runs (FACTS §3, §11): the community bundle's
 * `sail-operator`, OSSM 3's `servicemesh-operator3` (in `openshift-operators`).
 */
export const OLM_PACKAGES = {
  sailoperator: 'sail-operator',
  servicemeshoperator3: 'servicemesh-operator3',
} as const;
export type OlmPackage = keyof typeof OLM_PACKAGES;
/** Deployment names of the Helm chart / community bundle (`sail-operator`) and of the OSSM 3 build. */
const OPERATOR_DEPLOYMENTS = Object.values(OLM_PACKAGES);

const isOlmPackage = (name: string | undefined): name is OlmPackage =>
  name !== undefined && Object.hasOwn(OLM_PACKAGES, name);

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
  // The Deployment OLM made for a package: the package's name, in the Subscription's namespace when there is one.
  const deploymentOf = (pkg: OlmPackage, namespace: string): string => {
    const wanted = OLM_PACKAGES[pkg];
    const found =
      input.deployments.find((d) => d.name === wanted && d.namespace === namespace) ??
      input.deployments.find((d) => d.name === wanted);
    return found?.name ?? wanted;
  };
  const sub = input.subscriptions.find((s) => isOlmPackage(s.spec?.name));
  if (sub && isOlmPackage(sub.spec?.name)) {
    const namespace = sub.metadata.namespace ?? '';
    return {
      openshift,
      operatorPreinstalled: {
        via: 'olm',
        namespace,
        name: sub.metadata.name,
        package: sub.spec.name,
        deployment: deploymentOf(sub.spec.name, namespace),
      },
    };
  }
  for (const csv of input.csvs) {
    const pkg = csv.metadata.name.split('.')[0];
    if (!isOlmPackage(pkg) || csv.status?.phase !== 'Succeeded') continue;
    const namespace = csv.metadata.namespace ?? '';
    return {
      openshift,
      operatorPreinstalled: {
        via: 'olm',
        namespace,
        name: csv.metadata.name,
        package: pkg,
        deployment: deploymentOf(pkg, namespace),
      },
    };
  }
  const deployment = input.groups.includes(SAIL_GROUP) ? input.deployments[0] : undefined;
  return {
    openshift,
    operatorPreinstalled: deployment
      ? { via: 'deployment', ...deployment, deployment: deployment.name }
      : undefined,
  };
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
    if (!groups.includes(SAIL_GROUP) && !groups.includes(OLM_GROUP)) return [];
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
  const how = op.via === 'olm' ? `OLM (${op.package}, ${op.name})` : 'a Deployment';
  return `${platform}; Sail operator already installed via ${how}, Deployment ${op.namespace}/${op.deployment} (Helm install skipped)`;
}
