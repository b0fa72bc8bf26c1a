import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_OPERATOR_VERSION } from '../../../cli/constants.ts';
import {
  BUILD_DIR,
  kwokBinaries,
  parseVersionsEnv,
  readKwokVersions,
} from '../../../clusters/kwok/binaries.ts';
import { createClusterArgs, pointKubeconfigAt } from '../../../clusters/kwok/cluster.ts';
import {
  CONTROL_PLANE_NODE,
  DISABLED_ADMISSION_PLUGINS,
  fakeNodes,
  kwokctlConfigFile,
  kwokctlConfiguration,
} from '../../../clusters/kwok/config.ts';
import { downwardApiAnnotations, operatorArgs, tokenKubeconfig } from '../../../clusters/kwok/operator.ts';
import { GATEWAY_API_VERSION } from '../../../helpers/mesh/install.ts';

const versions = readKwokVersions();
const binaries = kwokBinaries(versions, '/cache');

describe('kwok build pins', () => {
  it('pins the operator the suite defaults to and the Gateway API version the installer applies', () => {
    expect(versions.sailOperator).toBe(DEFAULT_OPERATOR_VERSION);
    expect(versions.gatewayApi).toBe(GATEWAY_API_VERSION);
    expect(versions.sailOperatorCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('names every binary by its pinned version inside the cache, never inside the checkout', () => {
    expect(binaries.kubeApiserver).toBe(`/cache/bin/kube-apiserver-${versions.kubernetes}`);
    expect(binaries.sailChart).toBe(`/cache/bin/sail-operator-${versions.sailOperator}.chart`);
    for (const path of Object.values(binaries)) expect(path.startsWith('/cache/')).toBe(true);
  });

  it('reads KEY=VALUE lines and ignores comments', () => {
    expect(parseVersionsEnv('# c\nA_B=v1\n\nC=2 \n')).toEqual({ A_B: 'v1', C: '2' });
  });

  it('the generated Kubernetes wrapper replaces staging modules with the pinned v0.<minor>.<patch>', () => {
    const gomod = readFileSync(join(BUILD_DIR, 'modules', 'kubernetes', 'go.mod'), 'utf8');
    expect(gomod).toContain(`require k8s.io/kubernetes ${versions.kubernetes}`);
    const staging = `v0.${versions.kubernetes.slice(3)}`;
    const replaces = [...gomod.matchAll(/^\t(k8s\.io\/\S+) => (\S+) (\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    for (const [, from, to, version] of replaces) {
      expect(to).toBe(from);
      expect(version).toBe(staging);
    }
  });
});

describe('kwokctl configuration', () => {
  const config = kwokctlConfiguration({ binaries, kubernetesVersion: versions.kubernetes }) as {
    options: Record<string, unknown>;
    componentsPatches: { name: string; extraArgs: { key: string; value: string }[] }[];
  };

  it('runs the local binaries on 127.0.0.1 with RBAC and admission on, webhooks off', () => {
    expect(config.options).toMatchObject({
      runtime: 'binary',
      bindAddress: '127.0.0.1',
      kubeAuthorization: true,
      kubeAdmission: true,
      kubeApiserverBinary: binaries.kubeApiserver,
      etcdBinary: binaries.etcd,
      kwokControllerBinary: binaries.kwok,
    });
    expect(config.componentsPatches).toEqual([
      {
        name: 'kube-apiserver',
        extraArgs: [
          { key: 'disable-admission-plugins', value: DISABLED_ADMISSION_PLUGINS.join(',') },
          { key: 'advertise-address', value: '127.0.0.1' },
        ],
      },
    ]);
  });

  it('appends the delayed stages as further documents, and none for fast stages', () => {
    const fast = parseAllDocuments(kwokctlConfigFile({ binaries, kubernetesVersion: 'v1.34.4' }));
    expect(fast).toHaveLength(1);
    const stages =
      '---\nkind: Stage\nmetadata: {name: pod-ready}\n---\nkind: Stage\nmetadata: {name: pod-delete}\n';
    const delayed = parseAllDocuments(kwokctlConfigFile({ binaries, kubernetesVersion: 'v1.34.4' }, stages));
    expect(delayed.map((d) => (d.toJS() as { kind: string }).kind)).toEqual([
      'KwokctlConfiguration',
      'Stage',
      'Stage',
    ]);
  });

  it('creates with the binary runtime and waits for the apiserver', () => {
    expect(createClusterArgs('aus-x', '/run/kwokctl.yaml')).toEqual([
      'create',
      'cluster',
      '--name',
      'aus-x',
      '--config',
      '/run/kwokctl.yaml',
      '--runtime',
      'binary',
      '--wait',
      '2m',
    ]);
  });
});

describe('fake nodes', () => {
  it('one control-plane node tainted and labelled like kind, workers named like kind', () => {
    const nodes = fakeNodes(2);
    expect(nodes.map((n) => n.metadata.name)).toEqual([CONTROL_PLANE_NODE, 'kwok-worker', 'kwok-worker2']);
    type NodeShape = {
      metadata: { labels: Record<string, string> };
      spec: { taints?: unknown };
    };
    const [cp, worker] = nodes as unknown as [NodeShape, NodeShape];
    expect(cp.metadata.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(cp.spec.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(worker.metadata.labels['node-role.kubernetes.io/control-plane']).toBeUndefined();
    expect(worker.spec.taints).toBeUndefined();
    for (const node of nodes) expect(node.metadata.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
  });
});

describe('operator process inputs', () => {
  it('writes the downward-API annotations file sorted, one quoted value a line', () => {
    expect(downwardApiAnnotations({ 'images.v1_30_3.istiod': 'r/pilot:1.30.3', a: 'x"y' })).toBe(
      'a="x\\"y"\nimages.v1_30_3.istiod="r/pilot:1.30.3"\n',
    );
  });

  it('gives the operator only a bearer token, leader election off, health on loopback', () => {
    const kubeconfig = parse(tokenKubeconfig('https://127.0.0.1:6443', 'Q0E=', 'tok')) as {
      users: { user: Record<string, string> }[];
    };
    expect(kubeconfig.users).toHaveLength(1);
    expect(kubeconfig.users[0]?.user).toEqual({ token: 'tok' });
    expect(operatorArgs('/c')).toEqual(
      expect.arrayContaining(['--leader-elect=false', '--health-probe-bind-address=127.0.0.1:8081']),
    );
  });

  it('points a kubeconfig at the bridge port and keeps its credentials', () => {
    const yaml = tokenKubeconfig('https://127.0.0.1:6443', 'Q0E=', 'tok');
    const moved = parse(pointKubeconfigAt(yaml, 40123)) as {
      clusters: { cluster: { server: string } }[];
      users: { user: Record<string, string> }[];
    };
    expect(moved.clusters[0]?.cluster.server).toBe('https://127.0.0.1:40123');
    expect(moved.users[0]?.user.token).toBe('tok');
  });
});

describe('kwok prerequisites', () => {
  it('refuses without root in one line naming the fix, before anything is created', async () => {
    const { kwokUnavailableReason } = await import('../../../clusters/kwok/prerequisites.ts');
    const result = await kwokUnavailableReason({ PATH: '' }, 1000);
    expect(result).toEqual({
      reason: expect.stringMatching(/^--provider kwok needs root: .* — run as root/),
    });
  });

  it('names the missing binaries and build.sh when the cache is empty', async () => {
    const { kwokUnavailableReason } = await import('../../../clusters/kwok/prerequisites.ts');
    const result = await kwokUnavailableReason(
      { PATH: process.env.PATH, AUS_CACHE_DIR: '/nonexistent-aus-cache' },
      0,
    );
    if ('reason' in result && result.reason.includes('on PATH')) return; // this machine lacks ip/socat
    expect(result).toEqual({
      reason: expect.stringMatching(
        /kube-apiserver-v1\.34\.4.* not built in \/nonexistent-aus-cache — run clusters\/kwok\/build\/build\.sh/,
      ),
    });
  });
  it('without the prebuilt Sail operator: a bare control plane is ready, a run with the operator is refused naming it', async () => {
    const { kwokUnavailableReason } = await import('../../../clusters/kwok/prerequisites.ts');
    const cache = await mkdtemp(join(tmpdir(), 'aus-kwok-cache-'));
    try {
      const binaries = kwokBinaries(readKwokVersions(), cache);
      const built = Object.values(binaries).filter(
        (path) => path !== binaries.sailOperator && path !== binaries.sailChart,
      );
      for (const path of built) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, '');
      }
      const env = { PATH: process.env.PATH, AUS_CACHE_DIR: cache };
      const withOperator = await kwokUnavailableReason(env, 0);
      if ('reason' in withOperator && withOperator.reason.includes('on PATH')) return; // no ip/socat here
      expect(withOperator).toEqual({
        reason: expect.stringMatching(
          /^--provider kwok: no prebuilt Sail operator 1\.30\.3 in .*sail-operator-1\.30\.3, sail-operator-1\.30\.3\.chart\) — the Go module proxy does not serve it/,
        ),
      });
      const bare = await kwokUnavailableReason(env, 0, { operator: false });
      expect(bare).toMatchObject({ binaries: { kubeApiserver: binaries.kubeApiserver } });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
