import { stringify } from 'yaml';
import type { KubeObject } from '../../helpers/k8s/types.ts';
import type { KwokBinaries } from './binaries.ts';

/** Ports inside the cluster's own network namespace: nothing else listens there, so fixed ports cannot clash. */
export const KWOK_PORTS = { apiserver: 6443, etcd: 2379, etcdPeer: 2380, operatorHealth: 8081 } as const;

/**
 * The admission plugins switched off on a kwok apiserver: the istiod chart's injection and revision-tag webhooks
 * are `failurePolicy: Fail` and no istiod answers them. Every other default plugin stays on.
 */
export const DISABLED_ADMISSION_PLUGINS = ['MutatingAdmissionWebhook', 'ValidatingAdmissionWebhook'] as const;

/** `fast`: kwok's default stages (pods Ready at once, deleted at once); `delayed`: seconds to Ready and to stop. */
export type PodStages = 'fast' | 'delayed';

export interface KwokConfigInput {
  readonly binaries: KwokBinaries;
  readonly kubernetesVersion: string;
}

/** The `KwokctlConfiguration` document: binary runtime, local binaries, RBAC and admission on, 127.0.0.1 only. */
export function kwokctlConfiguration(input: KwokConfigInput): Record<string, unknown> {
  const b = input.binaries;
  return {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      kubeVersion: input.kubernetesVersion,
      bindAddress: '127.0.0.1',
      kubeApiserverPort: KWOK_PORTS.apiserver,
      etcdPort: KWOK_PORTS.etcd,
      etcdPeerPort: KWOK_PORTS.etcdPeer,
      // RBAC on, so the operator's ServiceAccount token meets the chart's real ClusterRole.
      kubeAuthorization: true,
      kubeAdmission: true,
      kubeApiserverBinary: b.kubeApiserver,
      kubeControllerManagerBinary: b.kubeControllerManager,
      kubeSchedulerBinary: b.kubeScheduler,
      kwokControllerBinary: b.kwok,
      etcdBinary: b.etcd,
      quietPull: true,
    },
    componentsPatches: [
      {
        name: 'kube-apiserver',
        extraArgs: [
          { key: 'disable-admission-plugins', value: DISABLED_ADMISSION_PLUGINS.join(',') },
          // The namespace has no default route, so the apiserver cannot pick an address by itself.
          { key: 'advertise-address', value: '127.0.0.1' },
        ],
      },
    ],
  };
}

/** The `--config` file: the configuration, then (delayed stages) kwok's general stages verbatim. */
export function kwokctlConfigFile(input: KwokConfigInput, delayedStagesYaml?: string): string {
  const head = stringify(kwokctlConfiguration(input));
  return delayedStagesYaml === undefined ? head : `${head}---\n${delayedStagesYaml.replace(/^---\n/, '')}`;
}

export const CONTROL_PLANE_NODE = 'kwok-control-plane';

/** kind's node names: `<cluster>-worker`, `<cluster>-worker2`, … */
export function workerNodeName(index: number): string {
  return index === 0 ? 'kwok-worker' : `kwok-worker${index + 1}`;
}

/**
 * A fake node kwok manages (annotation `kwok.x-k8s.io/node: fake`), labelled and tainted like kind's: the
 * control-plane node carries `node-role.kubernetes.io/control-plane` and its NoSchedule taint, workers carry
 * only the well-known os/arch/hostname labels.
 */
export function fakeNode(name: string, role: 'control-plane' | 'worker'): KubeObject {
  const labels: Record<string, string> = {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': name,
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    type: 'kwok',
  };
  if (role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec:
      role === 'control-plane'
        ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }
        : {},
    status: { allocatable: resources, capacity: resources },
  } as KubeObject;
}

export function fakeNodes(workers: number): KubeObject[] {
  return [
    fakeNode(CONTROL_PLANE_NODE, 'control-plane'),
    ...Array.from({ length: workers }, (_, i) => fakeNode(workerNodeName(i), 'worker')),
  ];
}
