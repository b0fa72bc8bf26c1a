import { UserError } from '../../errors.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import type { BuilderOptions } from './types.ts';

/**
 * Image for probe clients and echo servers: the official Node 20 image, pinned to one patch and Alpine
 * release so every run executes the bundle on the same runtime (the bundle is built and tested on Node 20).
 */
export const PROBE_IMAGE = 'docker.io/library/node:20.19.5-alpine3.22';
export const PROBE_CONFIGMAP = 'ambient-upgrade-probe';
export const PROBE_SCRIPT_KEY = 'probe.mjs';
export const PROBE_MOUNT_PATH = '/probe';
/** Path of the probe program inside probe pods: `node ${PROBE_SCRIPT_PATH} <command> …`. */
export const PROBE_SCRIPT_PATH = `${PROBE_MOUNT_PATH}/${PROBE_SCRIPT_KEY}`;
/** A ConfigMap holds at most 1 MiB (FACTS §9). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;

// Keeps the pod alive for `kubectl exec`-style probes; exits at once on SIGTERM (node as PID 1 would not).
const KEEP_ALIVE = ['node', '-e', "process.on('SIGTERM',()=>process.exit(0));setInterval(()=>{},1<<30)"];

const RESOURCES = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } };

// Runs under OpenShift's restricted-v2 SCC and Pod Security "restricted" apart from the user, which the
// platform assigns there; the image's default user is root, so no runAsNonRoot here.
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface ProbeBundleOptions extends BuilderOptions {
  namespace: string;
  /** The probe program as one ESM file (helpers/probes bundle). */
  bundle: string;
}

/** The ConfigMap that carries the probe bundle into pods (mounted at /probe). */
export function probeBundleConfigMap(options: ProbeBundleOptions): KubeObject {
  const bytes = Buffer.byteLength(options.bundle, 'utf8');
  if (bytes >= MAX_BUNDLE_BYTES) {
    throw new UserError(
      `probe bundle is ${bytes} bytes, a ConfigMap holds under ${MAX_BUNDLE_BYTES} — drop dependencies from the probe (Node's http/net suffice) and rebuild it`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: PROBE_CONFIGMAP, namespace: options.namespace, labels: suiteLabels(options) },
    data: { [PROBE_SCRIPT_KEY]: options.bundle },
  };
}

interface ProbePodOptions extends BuilderOptions {
  namespace: string;
  name: string;
  /** Pins the pod to one node (`kubernetes.io/hostname`), e.g. to put it behind a given ztunnel. */
  node?: string;
}

function probeDeployment(
  options: ProbePodOptions & { serviceAccount?: string },
  container: Record<string, unknown>,
): KubeObject {
  const labels = suiteLabels(options);
  const podSpec: Record<string, unknown> = {
    containers: [
      {
        name: 'probe',
        image: PROBE_IMAGE,
        imagePullPolicy: 'IfNotPresent',
        resources: RESOURCES,
        securityContext: CONTAINER_SECURITY,
        volumeMounts: [{ name: 'probe', mountPath: PROBE_MOUNT_PATH, readOnly: true }],
        ...container,
      },
    ],
    volumes: [{ name: 'probe', configMap: { name: PROBE_CONFIGMAP } }],
  };
  if (options.serviceAccount !== undefined) podSpec.serviceAccountName = options.serviceAccount;
  if (options.node !== undefined) podSpec.nodeSelector = { 'kubernetes.io/hostname': options.node };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace, labels: { ...labels, app: options.name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: options.name } },
      template: { metadata: { labels: { ...labels, app: options.name } }, spec: podSpec },
    },
  };
}

export interface ProbeClientOptions extends ProbePodOptions {
  /** Its identity: `cluster.local/ns/<namespace>/sa/<serviceAccount>`. */
  serviceAccount: string;
}

/**
 * A pod the suite execs `node /probe/probe.mjs …` in, with its own ServiceAccount so authorization
 * policies can tell clients apart. Returns [ServiceAccount, Deployment].
 */
export function probeClient(options: ProbeClientOptions): [KubeObject, KubeObject] {
  const serviceAccount: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: options.serviceAccount, namespace: options.namespace, labels: suiteLabels(options) },
  };
  return [serviceAccount, probeDeployment(options, { command: KEEP_ALIVE })];
}

export interface EchoServerOptions extends ProbePodOptions {
  port: number;
}

/** A TCP echo server from the probe bundle, for long-lived connections. Returns [Deployment, Service]. */
export function echoServer(options: EchoServerOptions): [KubeObject, KubeObject] {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw new UserError(`echo server port ${options.port} is invalid — use an integer from 1 to 65535`);
  }
  const deployment = probeDeployment(options, {
    command: ['node', PROBE_SCRIPT_PATH, 'echo-server', '--port', String(options.port)],
    ports: [{ name: 'tcp-echo', containerPort: options.port, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: options.port }, periodSeconds: 2 },
  });
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { ...suiteLabels(options), app: options.name },
    },
    spec: {
      selector: { app: options.name },
      // The `tcp-` prefix tells Istio this is opaque TCP, so no HTTP parsing touches the held connection.
      ports: [{ name: 'tcp-echo', port: options.port, targetPort: options.port, protocol: 'TCP' }],
    },
  };
  return [deployment, service];
}
