import { afterEach, beforeEach, expect } from 'vitest';
import { connect } from '../../../helpers/k8s/client.ts';
import { WaitTimeout } from '../../../helpers/k8s/wait.ts';
import { meshKube } from '../../../helpers/mesh/kube-adapter.ts';
import type { Plan, WaitCondition } from '../../../helpers/plan/types.ts';
import type { RunConfig } from '../../../suites/run-config.ts';
import type { RunContext } from '../../../suites/runner/context.ts';
import { runWait } from '../../../suites/runner/wait.ts';
import { defaultResources } from '../../support/fake-api-store.ts';
import { FakeApiServer, type ResourceDef, type StoredObject } from '../../support/fake-apiserver.ts';

export const SAIL = 'sailoperator.io/v1';
export const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** The kinds the runner reads besides the core ones: Sail CRs (cluster-scoped) and Gateways. */
export const runnerResources: ResourceDef[] = [
  ...defaultResources,
  ...(['Istio', 'IstioRevision', 'IstioCNI', 'ZTunnel', 'IstioRevisionTag'] as const).map((kind) => ({
    group: 'sailoperator.io',
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced: false,
  })),
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'Gateway',
    plural: 'gateways',
    namespaced: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    namespaced: true,
  },
];

export const runConfig: RunConfig = {
  runId: 'r-test',
  runDir: '/tmp/run',
  kubeconfigPath: '/tmp/run/kubeconfig',
  provider: 'kind',
  capabilities: ['data-plane', 'istiod-controller'],
  openshift: false,
  scenarios: ['inplace'],
  from: 'v1.29.2',
  to: 'v1.30.3',
  workers: 2,
  operatorVersion: '1.30.0',
  cacheDir: '/tmp/cache',
  allowSkew: false,
  reportsDir: '/tmp/reports',
  timeoutScale: 1,
};

const plan: Plan = {
  scenario: 'inplace',
  description: 'test plan',
  from: 'v1.29.2',
  to: 'v1.30.3',
  strategy: 'InPlace',
  workers: 2,
  allowSkew: false,
  skewFindings: [],
  deviations: [],
  steps: [],
};

export function runContext(fake: FakeApiServer, nodes: Record<string, string> = {}): RunContext {
  const kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  return {
    kube,
    mesh: meshKube(kube),
    config: runConfig,
    plan,
    signal: new AbortController().signal,
    nodes: new Map(Object.entries(nodes)),
    generations: new Map(),
    snapshots: new Map(),
    background: new Map(),
    drainWindows: [],
    ztunnelPods: new Map(),
    observers: new Map(),
  };
}

/** A fake API server with the runner's kinds for each test of the file, closed afterwards. */
export function useFakeApi(): { fake: () => FakeApiServer } {
  let server: FakeApiServer | undefined;
  beforeEach(async () => {
    server = await FakeApiServer.start(runnerResources);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    fake: () => {
      if (!server) throw new Error('fake API server not started');
      return server;
    },
  };
}

export const condition = (type: string, status: 'True' | 'False', extra: Record<string, unknown> = {}) => ({
  type,
  status,
  ...extra,
});

/** A Sail CR as Sail leaves it: Ready and Reconciled on generation `generation`, observed `observed`. */
export function sailCr(
  kind: 'Istio' | 'IstioRevision' | 'IstioCNI' | 'ZTunnel' | 'IstioRevisionTag',
  name: string,
  options: {
    version?: string;
    generation?: number;
    observed?: number;
    ready?: boolean;
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
    metadata?: Record<string, unknown>;
  } = {},
): StoredObject {
  const generation = options.generation ?? 1;
  const health = kind === 'IstioRevisionTag' ? 'InUse' : 'Ready';
  const ready = options.ready ?? true;
  return {
    apiVersion: SAIL,
    kind,
    metadata: { name, generation, ...options.metadata },
    spec: { ...(options.version ? { version: options.version } : {}), ...options.spec },
    status: {
      observedGeneration: options.observed ?? generation,
      state: ready ? 'Healthy' : 'NotReady',
      conditions: [
        condition(health, ready ? 'True' : 'False', ready ? {} : { reason: 'PodsNotReady' }),
        condition('Reconciled', 'True'),
      ],
      ...options.status,
    },
  };
}

export function pod(
  namespace: string,
  name: string,
  options: {
    node?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ready?: boolean;
    image?: string;
    container?: string;
    owner?: { kind: string; name: string };
    uid?: string;
  } = {},
): StoredObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: options.labels ?? {},
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.uid ? { uid: options.uid } : {}),
      ...(options.owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', ...options.owner, uid: `${options.owner.name}-uid`, controller: true },
            ],
          }
        : {}),
    },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      containers: [{ name: options.container ?? 'app', image: options.image ?? 'example/app:1' }],
    },
    status: { phase: 'Running', conditions: [condition('Ready', ready ? 'True' : 'False')] },
  };
}

export function node(name: string, options: { controlPlane?: boolean; ready?: boolean } = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: options.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {},
    },
    spec: {},
    status: { conditions: [condition('Ready', (options.ready ?? true) ? 'True' : 'False')] },
  };
}

/** Short enough that a wait that cannot finish gives up after one more poll. */
export const SHORT_WAIT_MS = 30;

/** Runs one plan wait step for `c` through the runner. */
export function waitFor(ctx: RunContext, c: WaitCondition, timeoutMs = 10_000) {
  return runWait({ action: 'wait', condition: c, timeoutMs }, ctx);
}

/** Runs the wait expecting a timeout; returns its message. */
export async function waitTimeoutMessage(ctx: RunContext, c: WaitCondition): Promise<string> {
  const error = await waitFor(ctx, c, SHORT_WAIT_MS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WaitTimeout);
  return (error as WaitTimeout).message;
}
