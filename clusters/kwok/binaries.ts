import { readFileSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** clusters/kwok/build/: the wrapper modules, build.sh and the pinned versions. */
export const BUILD_DIR = fileURLToPath(new URL('./build/', import.meta.url));

/** The pinned versions of `build/versions.env` (one source for build.sh and the provider). */
export interface KwokVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly helm: string;
  readonly sailOperator: string;
  readonly sailOperatorCommit: string;
  readonly gatewayApi: string;
  readonly istioSamples: string;
}

/** Parses `KEY=VALUE` lines; comments and blank lines ignored. */
export function parseVersionsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(\S+)\s*$/.exec(line.trim());
    if (match?.[1] && match[2]) out[match[1]] = match[2];
  }
  return out;
}

export function readKwokVersions(text = readFileSync(join(BUILD_DIR, 'versions.env'), 'utf8')): KwokVersions {
  const env = parseVersionsEnv(text);
  const get = (key: string): string => {
    const value = env[key];
    if (value === undefined) throw new Error(`clusters/kwok/build/versions.env has no ${key}`);
    return value;
  };
  return {
    kubernetes: get('KUBERNETES_VERSION'),
    etcd: get('ETCD_VERSION'),
    kwok: get('KWOK_VERSION'),
    helm: get('HELM_VERSION'),
    sailOperator: get('SAIL_OPERATOR_VERSION'),
    sailOperatorCommit: get('SAIL_OPERATOR_COMMIT'),
    gatewayApi: get('GATEWAY_API_VERSION'),
    istioSamples: get('ISTIO_SAMPLES_VERSION'),
  };
}

/** The build cache: `$AUS_CACHE_DIR` or `~/.cache/ambient-upgrade-suite`, outside any checkout. */
export function cacheDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.AUS_CACHE_DIR && env.AUS_CACHE_DIR !== ''
    ? env.AUS_CACHE_DIR
    : join(homedir(), '.cache', 'ambient-upgrade-suite');
}

/** Every file the kwok provider runs or installs, by the versioned names build.sh writes. */
export interface KwokBinaries {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly kwokctl: string;
  readonly helm: string;
  readonly sailOperator: string;
  /** The Helm chart (with its CRDs) of the same Sail commit as the binary. */
  readonly sailChart: string;
  /** Gateway API standard-channel CRDs + safe-upgrades policy, one multi-document file. */
  readonly gatewayApiBundle: string;
  /** A folder laid out like istio's samples/ (the `--manifests-dir` layout). */
  readonly istioSamples: string;
  /** kwok's general pod stages (seconds to Ready and to terminate) with its default node stages. */
  readonly delayedStages: string;
  /**
   * Istio's CRDs from the samples' istio module: for a control plane without the Sail operator (which installs
   * its release's own on the first reconcile).
   */
  readonly istioCrds: string;
}

export function kwokBinaries(versions: KwokVersions, cacheDir: string): KwokBinaries {
  const bin = join(cacheDir, 'bin');
  const k = versions.kubernetes;
  return {
    kubeApiserver: join(bin, `kube-apiserver-${k}`),
    kubeControllerManager: join(bin, `kube-controller-manager-${k}`),
    kubeScheduler: join(bin, `kube-scheduler-${k}`),
    etcd: join(bin, `etcd-${versions.etcd}`),
    kwok: join(bin, `kwok-${versions.kwok}`),
    kwokctl: join(bin, `kwokctl-${versions.kwok}`),
    helm: join(bin, `helm-${versions.helm}`),
    sailOperator: join(bin, `sail-operator-${versions.sailOperator}`),
    sailChart: join(bin, `sail-operator-${versions.sailOperator}.chart`),
    gatewayApiBundle: join(cacheDir, 'assets', `gateway-api-${versions.gatewayApi}-standard-install.yaml`),
    istioSamples: join(cacheDir, 'assets', `istio-samples-${versions.istioSamples}`),
    delayedStages: join(cacheDir, 'assets', `kwok-stages-delayed-${versions.kwok}.yaml`),
    istioCrds: join(cacheDir, 'assets', `istio-crds-${versions.istioSamples}.yaml`),
  };
}

/** Names (file names) of what is missing, in a stable order; empty when everything is built. */
export async function missingBinaries(binaries: KwokBinaries): Promise<string[]> {
  const checks = Object.entries(binaries).map(async ([, path]) => {
    try {
      await access(path, constants.R_OK);
      return undefined;
    } catch {
      return path.split('/').pop() ?? path;
    }
  });
  return (await Promise.all(checks)).filter((name): name is string => name !== undefined);
}
