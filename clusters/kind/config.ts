import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

const KindNode = z.looseObject({ role: z.enum(['control-plane', 'worker']) });
const KindConfig = z.looseObject({
  kind: z.literal('Cluster'),
  apiVersion: z.literal('kind.x-k8s.io/v1alpha4'),
  nodes: z.array(KindNode).min(1),
  containerdConfigPatches: z.array(z.string()).optional(),
});
export type KindConfig = z.infer<typeof KindConfig>;

/** The topology files shipped next to this module; `--workers` picks one and extends it when larger. */
export const TOPOLOGY_FILES = {
  2: fileURLToPath(new URL('./topology-2-workers.yaml', import.meta.url)),
  3: fileURLToPath(new URL('./topology-3-workers.yaml', import.meta.url)),
} as const;

/**
 * containerd reads per-registry `hosts.toml` files from this directory once the config points at it; the suite
 * writes `docker.io/hosts.toml` on each node when `--registry-mirror` is on (kind's documented local-registry
 * recipe).
 */
export const CONTAINERD_CERTS_DIR = '/etc/containerd/certs.d';
export const MIRROR_CONFIG_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${CONTAINERD_CERTS_DIR}"\n`;

export function loadTopology(file: string): KindConfig {
  return KindConfig.parse(parse(readFileSync(file, 'utf8')));
}

/** Renders the kind config for `workers` workers (≥ 2), with the mirror patch when asked. */
export function renderKindConfig({
  workers,
  registryMirror,
}: {
  workers: number;
  registryMirror: boolean;
}): string {
  if (!Number.isInteger(workers) || workers < 2)
    throw new Error(`workers must be an integer ≥ 2, got ${workers}`);
  const base = loadTopology(workers === 2 ? TOPOLOGY_FILES[2] : TOPOLOGY_FILES[3]);
  const nodes = [...base.nodes];
  while (nodes.filter((n) => n.role === 'worker').length < workers) nodes.push({ role: 'worker' });
  const config: KindConfig = { ...base, nodes };
  if (registryMirror)
    config.containerdConfigPatches = [...(base.containerdConfigPatches ?? []), MIRROR_CONFIG_PATCH];
  return stringify(config);
}

/** `hosts.toml` that sends docker.io pulls through the mirror first, falling back to Docker Hub. */
export function mirrorHostsToml(mirrorUrl: string): string {
  return [
    'server = "https://registry-1.docker.io"',
    '',
    `[host."${mirrorUrl}"]`,
    '  capabilities = ["pull", "resolve"]',
    '',
  ].join('\n');
}
