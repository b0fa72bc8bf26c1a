import { describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import {
  echoServer,
  MAX_BUNDLE_BYTES,
  PROBE_IMAGE,
  probeBundleConfigMap,
  probeClient,
} from '../../../helpers/mesh/manifests/index.ts';

interface PodSpecView {
  serviceAccountName?: string;
  nodeSelector?: Record<string, string>;
  containers: {
    image: string;
    command: string[];
    volumeMounts: { mountPath: string }[];
    ports?: { containerPort: number }[];
  }[];
  volumes: { configMap: { name: string } }[];
}

function podSpec(deployment: KubeObject): PodSpecView {
  return (deployment.spec as { template: { spec: PodSpecView } }).template.spec;
}

describe('probeBundleConfigMap', () => {
  it('carries the bundle as probe.mjs', () => {
    const configMap = probeBundleConfigMap({ namespace: 'default', bundle: 'console.log(1)' });
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'ambient-upgrade-probe', namespace: 'default' },
      data: { 'probe.mjs': 'console.log(1)' },
    });
  });

  it('accepts a bundle just under 1 MiB and rejects one of 1 MiB, counting UTF-8 bytes', () => {
    expect(() =>
      probeBundleConfigMap({ namespace: 'default', bundle: 'a'.repeat(MAX_BUNDLE_BYTES - 1) }),
    ).not.toThrow();
    expect(() =>
      probeBundleConfigMap({ namespace: 'default', bundle: 'a'.repeat(MAX_BUNDLE_BYTES) }),
    ).toThrow(UserError);
    // 'é' is two bytes: half a MiB of them is a full MiB.
    expect(() =>
      probeBundleConfigMap({ namespace: 'default', bundle: 'é'.repeat(MAX_BUNDLE_BYTES / 2) }),
    ).toThrow(/bytes/);
  });
});

describe('probeClient', () => {
  it('is a ServiceAccount and a keep-alive Deployment with the bundle mounted at /probe', () => {
    const [serviceAccount, deployment] = probeClient({
      namespace: 'default',
      serviceAccount: 'curl',
      name: 'curl-probe',
    });
    expect(serviceAccount).toMatchObject({
      kind: 'ServiceAccount',
      metadata: { name: 'curl', namespace: 'default' },
    });
    expect(deployment).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'curl-probe', namespace: 'default' },
    });
    const spec = podSpec(deployment);
    expect(spec.serviceAccountName).toBe('curl');
    expect(spec.nodeSelector).toBeUndefined();
    expect(spec.containers[0]?.image).toBe(PROBE_IMAGE);
    expect(spec.containers[0]?.command[0]).toBe('node');
    expect(spec.containers[0]?.volumeMounts[0]?.mountPath).toBe('/probe');
    expect(spec.volumes[0]?.configMap.name).toBe('ambient-upgrade-probe');
  });

  it('pins to a node when asked', () => {
    const [, deployment] = probeClient({
      namespace: 'bookinfo',
      serviceAccount: 'not-allowed',
      name: 'denied',
      node: 'worker-2',
    });
    expect(podSpec(deployment).nodeSelector).toEqual({ 'kubernetes.io/hostname': 'worker-2' });
  });

  it('pins a specific image tag, not a floating one', () => {
    expect(PROBE_IMAGE).toMatch(/^docker\.io\/library\/node:20\.\d+\.\d+-alpine\d+\.\d+$/);
  });
});

describe('echoServer', () => {
  it('runs the bundle echo-server on the port and exposes it as a TCP Service', () => {
    const [deployment, service] = echoServer({
      namespace: 'echo',
      name: 'echo',
      port: 9000,
      node: 'worker-1',
    });
    const spec = podSpec(deployment);
    expect(spec.containers[0]?.command).toEqual([
      'node',
      '/probe/probe.mjs',
      'echo-server',
      '--port',
      '9000',
    ]);
    expect(spec.containers[0]?.ports?.[0]?.containerPort).toBe(9000);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'worker-1' });
    expect(service).toMatchObject({
      kind: 'Service',
      metadata: { name: 'echo', namespace: 'echo' },
      spec: { selector: { app: 'echo' }, ports: [{ port: 9000, targetPort: 9000, protocol: 'TCP' }] },
    });
  });

  it('rejects a port out of range', () => {
    expect(() => echoServer({ namespace: 'echo', name: 'echo', port: 70000 })).toThrow(/port/);
  });
});
