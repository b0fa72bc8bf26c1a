import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  judgeNodeZtunnel,
  parseZtunnelConfigDump,
  type ZtunnelConfig,
} from '../../../helpers/mesh/ztunnel-config.ts';
import { pod } from './fixtures.ts';

// fixtures/ztunnel-config-dump.json is built by hand from ztunnel's source (istio/ztunnel @ 62d8265: src/admin.rs
// `ConfigDump`, src/state.rs `ProxyStateSerialization`, src/state/workload.rs `Workload`, src/state/service.rs
// `Service`, src/version.rs `BuildInfo`, src/config.rs `Config`, trimmed), NOT captured from a live ztunnel:
// the dump of the ztunnel on `ambient-upgrade-worker` of a 3-node kind cluster after a RevisionBased upgrade to
// 1.30.3, with bookinfo + curl ambient and their waypoint.

const FIXTURE = new URL('./fixtures/ztunnel-config-dump.json', import.meta.url);
const text = readFileSync(FIXTURE, 'utf8');
const raw = (): Record<string, unknown> & { workloads: Record<string, unknown>[] } => JSON.parse(text);

const NODE = 'ambient-upgrade-worker';

function parsed(value: unknown = raw()): ZtunnelConfig {
  const result = parseZtunnelConfigDump(value);
  if (result instanceof Error) throw result;
  return result;
}

const ztunnelPod = (o: Partial<Parameters<typeof pod>[0]> = {}) =>
  pod({
    name: 'ztunnel-7xk2p',
    namespace: 'ztunnel',
    node: NODE,
    image: 'registry.istio.io/release/ztunnel:1.30.3',
    ...o,
  });

const app = (
  name: string,
  container: string,
  namespace = 'bookinfo',
  extra: Partial<Parameters<typeof pod>[0]> = {},
) =>
  pod({
    name,
    namespace,
    node: NODE,
    container,
    image: `registry.istio.io/release/examples-bookinfo-${container}:1.20.3`,
    ...extra,
  });

/** The Running pods of ambient namespaces on the node, as the caller lists them. */
const podsOnNode = () => [
  app('productpage-v1-d5789fdfb-7p5qj', 'productpage'),
  app('ratings-v1-7c9bd4b87f-2xkqw', 'ratings'),
  app('reviews-v1-5fd6d4f8f8-9bnzd', 'reviews'),
  app('curl-5b549b49b8-j7lqd', 'curl', 'curl'),
  app('waypoint-6b7c8d9f5-xt2lp', 'istio-proxy', 'bookinfo', {
    labels: { 'istio.io/dataplane-mode': 'none' },
  }),
];

const judge = (o: Partial<Parameters<typeof judgeNodeZtunnel>[0]> = {}) =>
  judgeNodeZtunnel({
    node: NODE,
    expectVersion: 'v1.30.3',
    ztunnelPod: ztunnelPod(),
    configDump: parsed(),
    podsOnNode: podsOnNode(),
    ...o,
  });

/** The fixture with one pod's `workloadState` entry changed (`undefined` removes it). */
function withState(name: string, entry: Record<string, unknown> | undefined): ZtunnelConfig {
  const dump = raw() as unknown as { workloadState: Record<string, unknown> };
  const uid = `uid-${name}`;
  if (!(uid in dump.workloadState)) throw new Error(`fixture has no workloadState entry ${uid}`);
  if (entry === undefined) delete dump.workloadState[uid];
  else dump.workloadState[uid] = entry;
  return parsed(dump);
}

describe('parseZtunnelConfigDump', () => {
  it('reads the fixture: workloads, ztunnel version, local node', () => {
    const dump = parsed();
    expect(dump.workloads).toHaveLength(raw().workloads.length);
    expect(dump.version).toBe('1.30.3');
    expect(dump.localNode).toBe(NODE);
    expect(dump.unreadable).toBeUndefined();
    expect(dump.workloads.find((w) => w.name === 'productpage-v1-d5789fdfb-7p5qj')).toEqual({
      uid: 'Kubernetes//Pod/bookinfo/productpage-v1-d5789fdfb-7p5qj',
      name: 'productpage-v1-d5789fdfb-7p5qj',
      namespace: 'bookinfo',
      node: NODE,
      protocol: 'HBONE',
      status: 'Healthy',
    });
    expect(dump.workloads.find((w) => w.namespace === 'kube-system')?.protocol).toBe('TCP');
  });

  it('accepts the body as text, like the port-forwarded response', () => {
    expect(parseZtunnelConfigDump(text)).toEqual(parsed());
  });

  it('version: from istioVersion when version is a dev SHA; undefined when nothing looks like a version', () => {
    const dev = { ...raw(), version: { version: '4c1f2a9d0e7b', istioVersion: '1.30.3' } };
    expect(parsed(dev).version).toBe('1.30.3');
    const unknown = { ...raw(), version: { version: '4c1f2a9d0e7b', istioVersion: 'unknown' } };
    expect(parsed(unknown).version).toBeUndefined();
    const { version: _omit, ...noVersion } = raw();
    expect(parsed(noVersion).version).toBeUndefined();
  });

  it('counts unreadable workload entries instead of failing the dump', () => {
    const dump = raw();
    dump.workloads.push({ name: 'broken', workloadIps: [] });
    const result = parsed(dump);
    expect(result.unreadable).toBe(1);
    expect(result.workloads.map((w) => w.name)).not.toContain('broken');
  });

  it('an Error for a body that is not a ztunnel dump', () => {
    expect(parseZtunnelConfigDump('<html>404</html>')).toBeInstanceOf(Error);
    const envoy = parseZtunnelConfigDump({ configs: [] });
    expect(envoy).toBeInstanceOf(Error);
    expect((envoy as Error).message).toContain('ztunnel config_dump');
  });
});

describe('judgeNodeZtunnel', () => {
  it('ok: new ztunnel on the version and every ambient pod on the node is Up in its workloadState', () => {
    const r = judge();
    expect(r.ok).toBe(true);
    expect(r.evidence).toEqual({ missing: [], ztunnelVersion: '1.30.3' });
    expect(r.reason).toContain('4 ambient pod(s) checked');
    expect(r.reason).toContain('bookinfo/waypoint-6b7c8d9f5-xt2lp (istio.io/dataplane-mode=none)');
  });

  it('not ok when a pod on the node is not in workloadState, naming it', () => {
    const extra = app('details-v1-65cfcf56f9-zz9qq', 'details');
    const r = judge({ podsOnNode: [...podsOnNode(), extra] });
    expect(r.ok).toBe(false);
    expect(r.evidence.missing).toEqual(['bookinfo/details-v1-65cfcf56f9-zz9qq']);
    expect(r.reason).toContain(
      "bookinfo/details-v1-65cfcf56f9-zz9qq (uid uid-details-v1-65cfcf56f9-zz9qq) not in this ztunnel's workloadState",
    );
  });

  it('being in the xDS workload list is not enough: every ztunnel holds every workload of the mesh', () => {
    // ratings is listed in `workloads` (HBONE, this node) but this ztunnel does not serve it.
    const dump = withState('ratings-v1-7c9bd4b87f-2xkqw', undefined);
    expect(dump.workloads.some((w) => w.name === 'ratings-v1-7c9bd4b87f-2xkqw')).toBe(true);
    const r = judge({ configDump: dump });
    expect(r.ok).toBe(false);
    expect(r.evidence.missing).toEqual(['bookinfo/ratings-v1-7c9bd4b87f-2xkqw']);
  });

  it('matches on the pod UID: a pod re-created under the same name is not the one served', () => {
    const recreated = app('ratings-v1-7c9bd4b87f-2xkqw', 'ratings', 'bookinfo', { uid: 'uid-new' });
    const r = judge({ podsOnNode: [recreated] });
    expect(r.ok).toBe(false);
    expect(r.evidence.missing).toEqual(['bookinfo/ratings-v1-7c9bd4b87f-2xkqw']);
  });

  it('not ok while a pod is Pending in workloadState (the hand-off is not done)', () => {
    const r = judge({
      configDump: withState('curl-5b549b49b8-j7lqd', {
        info: { name: 'curl-5b549b49b8-j7lqd', namespace: 'curl', serviceAccount: 'curl' },
        state: 'Pending',
      }),
    });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('is Pending in workloadState, expected Up');
  });

  it('not ok when the dump has no workloadState at all', () => {
    const { workloadState: _omit, ...old } = raw() as Record<string, unknown>;
    const r = judge({ configDump: parsed(old) });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('no workloadState');
  });

  it('not ok when the ztunnel pod runs another version', () => {
    const r = judge({ ztunnelPod: ztunnelPod({ image: 'registry.istio.io/release/ztunnel:1.29.6' }) });
    expect(r.ok).toBe(false);
    expect(r.evidence.ztunnelVersion).toBe('1.29.6');
    expect(r.reason).toContain(
      'runs image registry.istio.io/release/ztunnel:1.29.6, expected version v1.30.3',
    );
  });

  it('not ok when the dump reports another version (digest-pinned image: the dump vouches)', () => {
    const digest = ztunnelPod({
      image: 'registry.redhat.io/openshift-service-mesh/ztunnel-rhel9@sha256:4f2a',
    });
    expect(judge({ ztunnelPod: digest }).ok).toBe(true);
    const old = parsed({ ...raw(), version: { version: '1.29.6', istioVersion: '1.29.6' } });
    const r = judge({ ztunnelPod: digest, configDump: old });
    expect(r.ok).toBe(false);
    expect(r.evidence.ztunnelVersion).toBe('1.29.6');
    expect(r.reason).toContain('config_dump reports ztunnel version 1.29.6, expected v1.30.3');
    const { version: _omit, ...noVersion } = raw();
    const unknown = judge({ ztunnelPod: digest, configDump: parsed(noVersion) });
    expect(unknown.ok).toBe(false);
    expect(unknown.reason).toContain('cannot tell the ztunnel version');
  });

  it('not ok when the dump came from another node’s ztunnel', () => {
    const dump = raw();
    dump.config = { ...(dump.config as object), localNode: 'ambient-upgrade-worker2' };
    const r = judge({ configDump: parsed(dump) });
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('config_dump comes from the ztunnel on ambient-upgrade-worker2');
  });

  it('not ok when the ztunnel pod is on another node, not Ready, or terminating', () => {
    expect(judge({ ztunnelPod: ztunnelPod({ node: 'ambient-upgrade-worker2' }) }).reason).toContain(
      'runs on ambient-upgrade-worker2',
    );
    expect(judge({ ztunnelPod: ztunnelPod({ ready: false }) }).reason).toContain('is not Ready');
    const terminating = judge({ ztunnelPod: ztunnelPod({ deletionTimestamp: '2026-08-22T10:00:00Z' }) });
    expect(terminating.ok).toBe(false);
    expect(terminating.reason).toContain('is terminating');
  });

  it('skips pods ztunnel does not capture, even when absent from the dump', () => {
    const hostNet = app('node-exporter-x1', 'node-exporter');
    const hostNetwork = { ...hostNet, spec: { ...hostNet.spec, hostNetwork: true } };
    const pending = app('details-v1-65cfcf56f9-pend1', 'details');
    const notRunning = { ...pending, status: { ...pending.status, phase: 'Pending' } };
    const sidecar = app('legacy-7f9c-abcde', 'legacy', 'bookinfo', {
      annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' },
    });
    const elsewhere = app('reviews-v9-1111111111-aaaaa', 'reviews', 'bookinfo', {
      node: 'ambient-upgrade-worker2',
    });
    const r = judge({ podsOnNode: [...podsOnNode(), hostNetwork, notRunning, sidecar, elsewhere] });
    expect(r.ok).toBe(true);
    expect(r.reason).toContain('(host network)');
    expect(r.reason).toContain('(phase Pending)');
    expect(r.reason).toContain('(sidecar-injected)');
    expect(r.reason).toContain('(on node ambient-upgrade-worker2)');
  });

  it('a -latest alias checks the minor only', () => {
    expect(judge({ expectVersion: 'v1.30-latest' }).ok).toBe(true);
    expect(judge({ expectVersion: 'v1.29-latest' }).ok).toBe(false);
  });

  it('an unreadable ztunnel pod or node pod is not ok', () => {
    expect(judge({ ztunnelPod: { metadata: 'nope' } }).ok).toBe(false);
    expect(judge({ podsOnNode: [{ metadata: { name: 'x' } }] }).reason).toContain('unreadable');
  });
});
