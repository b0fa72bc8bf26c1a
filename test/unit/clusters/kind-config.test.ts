import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  loadTopology,
  MIRROR_CONFIG_PATCH,
  mirrorHostsToml,
  renderKindConfig,
  TOPOLOGY_FILES,
} from '../../../clusters/kind/config.ts';

const roles = (yaml: string): string[] =>
  (parse(yaml) as { nodes: { role: string }[] }).nodes.map((n) => n.role);

describe('kind topology', () => {
  it('ships a 2-worker default and a 3-worker variant, each with one control plane', () => {
    expect(loadTopology(TOPOLOGY_FILES[2]).nodes.map((n) => n.role)).toEqual([
      'control-plane',
      'worker',
      'worker',
    ]);
    expect(loadTopology(TOPOLOGY_FILES[3]).nodes.map((n) => n.role)).toEqual([
      'control-plane',
      'worker',
      'worker',
      'worker',
    ]);
  });

  it('renders the requested number of workers', () => {
    expect(roles(renderKindConfig({ workers: 2, registryMirror: false }))).toEqual([
      'control-plane',
      'worker',
      'worker',
    ]);
    expect(
      roles(renderKindConfig({ workers: 5, registryMirror: false })).filter((r) => r === 'worker'),
    ).toHaveLength(5);
    expect(() => renderKindConfig({ workers: 1, registryMirror: false })).toThrow(/≥ 2/);
  });

  it('adds the containerd registry patch only with the mirror', () => {
    const plain = parse(renderKindConfig({ workers: 2, registryMirror: false })) as Record<string, unknown>;
    expect(plain.containerdConfigPatches).toBeUndefined();
    const mirrored = parse(renderKindConfig({ workers: 2, registryMirror: true })) as Record<string, unknown>;
    expect(mirrored.containerdConfigPatches).toEqual([MIRROR_CONFIG_PATCH]);
    expect(MIRROR_CONFIG_PATCH).toContain('config_path = "/etc/containerd/certs.d"');
    expect(mirrorHostsToml('http://aus-registry-mirror:5000')).toContain(
      '[host."http://aus-registry-mirror:5000"]',
    );
  });
});
