import { conditionOf, DaemonSet, Deployment, parseAs } from './k8s-shapes.ts';
import { daemonSetRolledOut, type Readiness } from './readiness.ts';

// Draining the control-plane node evicts CoreDNS (on kind it usually runs there, FACTS §11): until it is back,
// every name lookup of a probe fails and the checks after the drain would blame the mesh.

export const CLUSTER_DNS_SELECTOR = 'k8s-app=kube-dns';
export const OPENSHIFT_DNS = { namespace: 'openshift-dns', name: 'dns-default' };

/**
 * The `k8s-app=kube-dns` Deployments of kube-system (CoreDNS) are `Available` with every replica ready; when there
 * is none, OpenShift's DNS DaemonSet is rolled out. Neither found is not done: the cluster has no DNS we know of.
 */
export function clusterDnsAvailable(input: {
  deployments: readonly unknown[];
  openshiftDns: unknown;
}): Readiness {
  if (input.deployments.length === 0) {
    if (input.openshiftDns === undefined) {
      return {
        done: false,
        detail: `no ${CLUSTER_DNS_SELECTOR} Deployment in kube-system and no DaemonSet ${OPENSHIFT_DNS.namespace}/${OPENSHIFT_DNS.name} — not done: no cluster DNS found`,
      };
    }
    const ds = parseAs(DaemonSet, input.openshiftDns, 'DaemonSet');
    if (ds instanceof Error) return { done: false, detail: ds.message };
    return daemonSetRolledOut(input.openshiftDns);
  }
  const seen: string[] = [];
  const reasons: string[] = [];
  for (const raw of input.deployments) {
    const dep = parseAs(Deployment, raw, 'Deployment');
    if (dep instanceof Error) {
      reasons.push(dep.message);
      continue;
    }
    const want = dep.spec.replicas ?? 1;
    const available = conditionOf(dep.status.conditions, 'Available');
    const ready = dep.status.readyReplicas ?? 0;
    seen.push(`${dep.metadata.name}: Available=${available?.status ?? '-'} ready=${ready}/${want}`);
    if (available?.status !== 'True') reasons.push(`${dep.metadata.name} is not Available`);
    if (ready < want) reasons.push(`${dep.metadata.name} has ${ready}/${want} replicas ready`);
  }
  const detail = `cluster DNS ${seen.join(', ')}`;
  return reasons.length === 0
    ? { done: true, detail }
    : { done: false, detail: `${detail} — not done: ${reasons.join('; ')}` };
}
