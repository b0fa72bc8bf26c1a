import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { connect } from '../../helpers/k8s/client.ts';
import { waitFor } from '../../helpers/k8s/wait.ts';
import type { KwokBinaries } from './binaries.ts';
import { type Bridge, openBridge } from './bridge.ts';
import type { KwokCluster } from './cluster.ts';
import { KWOK_PORTS } from './config.ts';
import { netnsArgs } from './netns.ts';

/** Where the chart puts the operator (values.yaml: `serviceAccountName: sail-operator`, `deployment.name`). */
export const OPERATOR = {
  namespace: 'sail-operator',
  serviceAccount: 'sail-operator',
  deployment: 'sail-operator',
};

export interface OperatorProcess {
  /** stdout+stderr of the operator: the evidence of what it did in every scenario. */
  readonly logPath: string;
  readonly pid: number | undefined;
  describe(): string;
  stop(): Promise<void>;
}

/**
 * The downward-API `config.properties` the chart mounts into the operator pod (`metadata.annotations`, one
 * `key="value"` line each, sorted, as the kubelet writes it): the operator reads its image map from here.
 */
export function downwardApiAnnotations(annotations: Record<string, string>): string {
  return Object.keys(annotations)
    .sort()
    .map((key) => `${key}=${JSON.stringify(annotations[key])}\n`)
    .join('');
}

/** A kubeconfig holding only a bearer token: the operator acts with its ServiceAccount's RBAC, never as admin. */
export function tokenKubeconfig(server: string, caData: string | undefined, token: string): string {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'kwok', server, ...(caData ? { caData } : { skipTLSVerify: true }) }],
    users: [{ name: `system:serviceaccount:${OPERATOR.namespace}:${OPERATOR.serviceAccount}`, token }],
    contexts: [
      {
        name: 'sail-operator',
        cluster: 'kwok',
        user: `system:serviceaccount:${OPERATOR.namespace}:${OPERATOR.serviceAccount}`,
      },
    ],
    currentContext: 'sail-operator',
  });
  return config.exportConfig();
}

export function operatorArgs(configFile: string): string[] {
  return [
    `--config-file=${configFile}`,
    // One operator process, no other replica: a lease would only slow the start.
    '--leader-elect=false',
    `--health-probe-bind-address=127.0.0.1:${KWOK_PORTS.operatorHealth}`,
    '--metrics-bind-address=0',
  ];
}

async function readyz(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
  return `${response.status} ${(await response.text()).slice(0, 200)}`;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * Runs the real Sail operator binary inside the cluster's network namespace, after the chart installed its
 * ServiceAccount, RBAC and (fake, kwok-Ready) Deployment: a TokenRequest for the chart's ServiceAccount, a
 * kubeconfig with only that token, the chart's downward-API config file, then a wait on its readyz endpoint.
 */
export async function startSailOperator(options: {
  cluster: KwokCluster;
  binaries: KwokBinaries;
  workDir: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}): Promise<OperatorProcess> {
  const { cluster, workDir } = options;
  const kube = connect({ kubeconfigPath: cluster.kubeconfigPath });
  const token = await kube.core.createNamespacedServiceAccountToken({
    name: OPERATOR.serviceAccount,
    namespace: OPERATOR.namespace,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 86_400 },
    },
  });
  const inner = cluster.innerKubeconfig.getCurrentCluster();
  if (!inner || !token.status?.token)
    throw new Error('TokenRequest for the sail-operator ServiceAccount returned no token');
  const kubeconfigPath = join(workDir, 'sail-operator.kubeconfig');
  await writeFile(kubeconfigPath, tokenKubeconfig(inner.server, inner.caData, token.status.token), {
    mode: 0o600,
  });
  const deployment = await kube.apps.readNamespacedDeployment({
    name: OPERATOR.deployment,
    namespace: OPERATOR.namespace,
  });
  const configFile = join(workDir, 'sail-operator.config.properties');
  await writeFile(configFile, downwardApiAnnotations(deployment.spec?.template.metadata?.annotations ?? {}));

  const logPath = join(workDir, 'sail-operator.log');
  const logStream = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(
    'ip',
    netnsArgs.exec(cluster.netns, options.binaries.sailOperator, operatorArgs(configFile)),
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        POD_NAMESPACE: OPERATOR.namespace,
        KUBECONFIG: kubeconfigPath,
        HOME: workDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });
  const exit = exited(child);
  let health: Bridge | undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    await health?.close();
    await new Promise<void>((resolve) => logStream.end(() => resolve()));
  };
  try {
    health = await openBridge(
      cluster.netns,
      join(workDir, 'operator-health.sock'),
      KWOK_PORTS.operatorHealth,
    );
    const port = health.port;
    // The process exiting ends the wait at once, with the last lines of its log as the reason.
    const died = exit.then(async (code) => {
      const tail = (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
      throw new Error(`the Sail operator exited ${code} before it was ready: ${tail}`);
    });
    const ready = waitFor(
      'the Sail operator process to answer /readyz',
      () => readyz(port),
      (r) => r.startsWith('200'),
      {
        timeoutMs: options.timeoutMs ?? 120_000,
        intervalMs: 250,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    died.catch(() => undefined);
    await Promise.race([ready, died]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    logPath,
    pid: child.pid,
    describe: () =>
      `Sail operator process ${child.pid} as ServiceAccount ${OPERATOR.namespace}/${OPERATOR.serviceAccount} (log ${logPath})`,
    stop,
  };
}
