// Hand-built Kubernetes/Sail objects for the mesh unit tests. Shapes follow the Sail CRD status schemas (checked
// against ../shared/upstream/sail-operator/crds in test/contract/mesh/sail-status-shapes.test.ts) and apps/v1.

export type Status = 'True' | 'False' | 'Unknown';

export function condition(
  type: string,
  status: Status,
  reason = status === 'True' ? 'Healthy' : 'NotReady',
  message?: string,
) {
  return {
    type,
    status,
    reason,
    ...(message ? { message } : {}),
    lastTransitionTime: '2026-08-20T10:00:00Z',
  };
}

export function sailCr(
  kind: 'Istio' | 'IstioRevision' | 'IstioCNI' | 'ZTunnel' | 'IstioRevisionTag',
  options: {
    name?: string;
    version?: string;
    generation?: number;
    observedGeneration?: number;
    conditions?: ReturnType<typeof condition>[];
    strategy?: 'InPlace' | 'RevisionBased';
    activeRevisionName?: string;
    istioRevision?: string;
  } = {},
) {
  const healthy = kind === 'IstioRevisionTag' ? 'InUse' : 'Ready';
  const conditions = options.conditions ?? [condition('Reconciled', 'True'), condition(healthy, 'True')];
  return {
    apiVersion: 'sailoperator.io/v1',
    kind,
    metadata: { name: options.name ?? 'default', generation: options.generation ?? 2 },
    spec: {
      ...(kind === 'IstioRevisionTag'
        ? { targetRef: { kind: 'Istio', name: 'default' } }
        : { version: options.version ?? 'v1.30.3' }),
      ...(options.strategy ? { updateStrategy: { type: options.strategy } } : {}),
    },
    status: {
      observedGeneration: options.observedGeneration ?? options.generation ?? 2,
      conditions,
      state: conditions.find((c) => c.status !== 'True')?.reason ?? 'Healthy',
      ...(options.activeRevisionName
        ? { activeRevisionName: options.activeRevisionName, revisions: { total: 1, ready: 1, inUse: 1 } }
        : {}),
      ...(options.istioRevision ? { istioRevision: options.istioRevision } : {}),
    },
  };
}

export function daemonSet(options: {
  name: string;
  namespace: string;
  container: string;
  image: string;
  desired?: number;
  updated?: number;
  ready?: number;
  generation?: number;
  observedGeneration?: number;
  strategy?: 'RollingUpdate' | 'OnDelete';
  env?: { name: string; value: string }[];
  grace?: number;
}) {
  const desired = options.desired ?? 3;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: options.name, namespace: options.namespace, generation: options.generation ?? 4 },
    spec: {
      // ztunnel as Sail 1.30.3 renders it (seen on the real apiserver, test/control-plane/ztunnel-ondelete.test.ts):
      // Helm merges the ZTunnel's type into the chart's default, so the rollingUpdate block stays under OnDelete too.
      updateStrategy: {
        type: options.strategy ?? 'RollingUpdate',
        ...(options.name === 'ztunnel' ? { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : {}),
      },
      template: {
        spec: {
          ...(options.grace !== undefined ? { terminationGracePeriodSeconds: options.grace } : {}),
          containers: [
            { name: options.container, image: options.image, ...(options.env ? { env: options.env } : {}) },
          ],
        },
      },
    },
    status: {
      observedGeneration: options.observedGeneration ?? options.generation ?? 4,
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      updatedNumberScheduled: options.updated ?? desired,
      numberReady: options.ready ?? desired,
      numberAvailable: options.ready ?? desired,
    },
  };
}

export function deployment(options: {
  name: string;
  namespace: string;
  container: string;
  image: string;
  replicas?: number;
  updated?: number;
  current?: number;
  ready?: number;
  generation?: number;
  observedGeneration?: number;
}) {
  const replicas = options.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace, generation: options.generation ?? 3 },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: options.container, image: options.image }] } },
    },
    status: {
      observedGeneration: options.observedGeneration ?? options.generation ?? 3,
      replicas: options.current ?? replicas,
      updatedReplicas: options.updated ?? replicas,
      readyReplicas: options.ready ?? replicas,
      availableReplicas: options.ready ?? replicas,
      conditions: [condition('Available', 'True', 'MinimumReplicasAvailable')],
    },
  };
}

export function pod(options: {
  name: string;
  namespace: string;
  node?: string;
  container?: string;
  image?: string;
  ready?: boolean;
  readyAt?: string;
  created?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: options.uid ?? `uid-${options.name}`,
      creationTimestamp: options.created ?? '2026-08-20T10:00:00Z',
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
      ...(options.deletionGracePeriodSeconds !== undefined
        ? { deletionGracePeriodSeconds: options.deletionGracePeriodSeconds }
        : {}),
    },
    spec: {
      nodeName: options.node ?? 'worker-1',
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: options.container ?? 'istio-proxy',
          image: options.image ?? 'registry.istio.io/release/proxyv2:1.30.3',
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'Ready',
          status: options.ready === false ? 'False' : 'True',
          lastTransitionTime: options.readyAt ?? '2026-08-20T10:00:05Z',
        },
      ],
    },
  };
}
