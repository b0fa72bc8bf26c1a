import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerEngine } from '../container-engine.ts';
import { runTool } from '../tools.ts';

/**
 * kind's known issues ("Pod errors due to too many open files"): multi-node clusters exhaust the default inotify
 * limits; kind recommends at least these.
 */
export const KIND_INOTIFY = { max_user_watches: 524_288, max_user_instances: 512 } as const;

/**
 * Kernel modules rootless Podman cannot load for the nodes: kind's rootless guide lists ip6_tables, ip6table_nat,
 * ip_tables and iptable_nat; ambient's in-pod redirection (istio-cni, ztunnel) also writes mangle rules
 * (inferred from its iptables rules).
 */
export const ROOTLESS_MODULES = [
  'ip_tables',
  'iptable_nat',
  'iptable_mangle',
  'ip6_tables',
  'ip6table_nat',
  'ip6table_mangle',
] as const;

export interface HostProbe {
  readonly platform: NodeJS.Platform;
  /** Reads a file under /proc or /sys; undefined when it cannot. */
  readFile(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** `podman info --format json`, or undefined when it fails. */
  podmanInfo(): Promise<string | undefined>;
}

export function systemHost(env: NodeJS.ProcessEnv): HostProbe {
  return {
    platform: process.platform,
    readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
    exists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    podmanInfo: async () => {
      const result = await runTool('podman', ['info', '--format', 'json'], { env, timeoutMs: 3_500 }).catch(
        () => undefined,
      );
      return result?.exitCode === 0 ? result.stdout : undefined;
    },
  };
}

/**
 * Warnings to print before anything is created; the run goes on (each only makes a failure later likelier). On a
 * Linux host only: Docker Desktop and podman machine run the nodes in a VM with its own limits.
 */
export async function kindHostWarnings(
  engine: ContainerEngine,
  nodes: number,
  host: HostProbe,
): Promise<string[]> {
  if (host.platform !== 'linux') return [];
  const warnings: string[] = [];
  if (nodes > 1) {
    const low: string[] = [];
    for (const [key, wanted] of Object.entries(KIND_INOTIFY)) {
      const value = Number((await host.readFile(`/proc/sys/fs/inotify/${key}`))?.trim());
      if (Number.isFinite(value) && value < wanted)
        low.push(`fs.inotify.${key}=${value} (kind recommends ${wanted})`);
    }
    if (low.length > 0) {
      const fix = Object.entries(KIND_INOTIFY)
        .map(([key, wanted]) => `sudo sysctl fs.inotify.${key}=${wanted}`)
        .join('; ');
      warnings.push(
        `inotify limits are low for a ${nodes}-node kind cluster: ${low.join(', ')} — pods may fail with "too many open files"; raise them: ${fix}`,
      );
    }
  }
  if (engine === 'podman') {
    const info = await host.podmanInfo();
    let rootless = false;
    try {
      rootless =
        (JSON.parse(info ?? '{}') as { host?: { security?: { rootless?: boolean } } }).host?.security
          ?.rootless === true;
    } catch {
      rootless = false;
    }
    if (rootless) {
      const missing: string[] = [];
      for (const module of ROOTLESS_MODULES) {
        if (!(await host.exists(join('/sys/module', module)))) missing.push(module);
      }
      if (missing.length > 0) {
        warnings.push(
          `rootless Podman cannot load kernel modules and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not loaded — ambient mode's traffic redirection will fail in the nodes; load them first: sudo modprobe -a ${missing.join(' ')}`,
        );
      }
    }
  }
  return warnings;
}
