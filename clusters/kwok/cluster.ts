import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { applyObject } from '../../helpers/k8s/apply.ts';
import { connect, type Kube } from '../../helpers/k8s/client.ts';
import { listNodes } from '../../helpers/k8s/read.ts';
import { waitFor } from '../../helpers/k8s/wait.ts';
import { runTool } from '../tools.ts';
import type { KwokBinaries, KwokVersions } from './binaries.ts';
import { type Bridge, openBridge } from './bridge.ts';
import { fakeNodes, KWOK_PORTS, kwokctlConfigFile, type PodStages } from './config.ts';
import { createNetns, destroyNetns, netnsArgs } from './netns.ts';

export interface KwokClusterOptions {
  /** Cluster and network-namespace name (`aus-<runId>`). */
  readonly name: string;
  /** Owns kwokctl's workdir, the kubeconfigs and the component logs. */
  readonly workDir: string;
  readonly workers: number;
  readonly stages: PodStages;
  readonly binaries: KwokBinaries;
  readonly versions: KwokVersions;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** A running kwok cluster: components in `netns`, reached from the host through `bridge`. */
export interface KwokCluster {
  readonly name: string;
  readonly netns: string;
  /** Admin kubeconfig for the host side (server `https://127.0.0.1:<bridge port>`). */
  readonly kubeconfigPath: string;
  /** The same credentials with the in-namespace address, for processes run inside the namespace. */
  readonly innerKubeconfig: KubeConfig;
  readonly kwokctlEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function kwokctlArgs(netns: string, binaries: KwokBinaries, args: readonly string[]): string[] {
  return netnsArgs.exec(netns, binaries.kwokctl, args);
}

/** kwokctl's `create cluster` line; `--wait` makes it return only once the apiserver answers. */
export function createClusterArgs(name: string, configPath: string): string[] {
  return ['create', 'cluster', '--name', name, '--config', configPath, '--runtime', 'binary', '--wait', '2m'];
}

/** Rewrites a kubeconfig's server to `https://127.0.0.1:<port>` (the host side of the bridge). */
export function pointKubeconfigAt(yaml: string, port: number): string {
  const config = new KubeConfig();
  config.loadFromString(yaml);
  const clusters = config.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` }));
  const next = new KubeConfig();
  next.loadFromOptions({
    clusters,
    users: config.users,
    contexts: config.contexts,
    currentContext: config.getCurrentContext(),
  });
  return next.exportConfig();
}

async function nodesReady(kube: Kube, expected: number): Promise<{ ready: number; names: string[] }> {
  const nodes = await listNodes(kube);
  const ready = nodes.filter((n) =>
    (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return {
    ready: ready.length === expected ? expected : ready.length,
    names: ready.map((n) => n.metadata?.name ?? ''),
  };
}

/**
 * Brings a kwok cluster up inside a fresh loopback-only network namespace: `kwokctl --runtime binary` with the
 * locally built binaries, then one control-plane node and `workers` worker nodes, waited on until Ready. On any
 * failure everything made so far is stopped before the error is rethrown.
 */
export async function startKwokCluster(options: KwokClusterOptions): Promise<KwokCluster> {
  const { name, workDir, binaries } = options;
  const log = options.log ?? (() => {});
  const netns = name;
  const kwokWorkdir = join(workDir, 'kwok');
  await mkdir(kwokWorkdir, { recursive: true });
  const kwokctlEnv: NodeJS.ProcessEnv = { ...process.env, KWOK_WORKDIR: kwokWorkdir };
  let bridge: Bridge | undefined;
  const stop = async () => {
    await runTool('ip', kwokctlArgs(netns, binaries, ['delete', 'cluster', '--name', name]), {
      env: kwokctlEnv,
      timeoutMs: 60_000,
    }).catch(() => undefined);
    await bridge?.close();
    await destroyNetns(netns);
  };
  await createNetns(netns);
  try {
    const delayed = options.stages === 'delayed' ? await readFile(binaries.delayedStages, 'utf8') : undefined;
    const configPath = join(workDir, 'kwokctl.yaml');
    await writeFile(
      configPath,
      kwokctlConfigFile({ binaries, kubernetesVersion: options.versions.kubernetes }, delayed),
    );
    log(
      `kwokctl create cluster ${name} (binary runtime, network namespace ${netns}, ${options.stages} pod stages)`,
    );
    const created = await runTool('ip', kwokctlArgs(netns, binaries, createClusterArgs(name, configPath)), {
      env: kwokctlEnv,
      timeoutMs: 5 * 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (created.exitCode !== 0) {
      const tail = `${created.stderr}\n${created.stdout}`.trim().split('\n').slice(-5).join(' | ');
      throw new Error(`kwokctl create cluster ${name} exited ${created.exitCode}: ${tail}`);
    }
    const adminYaml = await readFile(join(kwokWorkdir, 'clusters', name, 'kubeconfig.yaml'), 'utf8');
    const innerKubeconfig = new KubeConfig();
    innerKubeconfig.loadFromString(pointKubeconfigAt(adminYaml, KWOK_PORTS.apiserver));
    bridge = await openBridge(netns, join(workDir, 'apiserver.sock'), KWOK_PORTS.apiserver);
    const kubeconfigPath = join(workDir, 'kubeconfig');
    await writeFile(kubeconfigPath, pointKubeconfigAt(adminYaml, bridge.port), { mode: 0o600 });
    const kube = connect({ kubeconfigPath });
    for (const node of fakeNodes(options.workers)) await applyObject(kube, node);
    const expected = options.workers + 1;
    await waitFor(
      `${expected} kwok nodes Ready`,
      () => nodesReady(kube, expected),
      (r) => r.ready === expected,
      { timeoutMs: 60_000, intervalMs: 250, ...(options.signal ? { signal: options.signal } : {}) },
    );
    log(`kwok cluster ${name} up: ${expected} nodes Ready, apiserver bridged to 127.0.0.1:${bridge.port}`);
    return { name, netns, kubeconfigPath, innerKubeconfig, kwokctlEnv, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
