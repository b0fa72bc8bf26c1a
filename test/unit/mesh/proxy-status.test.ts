import { describe, expect, it } from 'vitest';
import { judgeWaypoint, judgeZtunnels, type ProxyStatus } from '../../../helpers/mesh/proxy-status.ts';
import { entryStates, parseSyncz, type SynczEntry, xdsStateOf } from '../../../helpers/mesh/syncz.ts';

// No upstream golden of /debug/syncz exists: this fixture follows pilot/pkg/xds/debug.go `SyncStatus` (istio master
// @ 86c9f01) — type URLs as keys of `resources`, nonces as strings, sentTime always present.
const T = (name: string) => `type.googleapis.com/${name}`;
const synced = (n: string) => ({ sent: n, acked: n, sentTime: '2026-08-22T10:00:00Z' });
const waypointEntry = (pod: string, version: string, overrides: Record<string, object> = {}): SynczEntry => ({
  proxy: `${pod}.bookinfo`,
  proxy_type: 'waypoint',
  cluster_id: 'Kubernetes',
  istio_version: version,
  resources: {
    [T('envoy.config.cluster.v3.Cluster')]: synced('a1'),
    [T('envoy.config.listener.v3.Listener')]: synced('b1'),
    [T('envoy.config.endpoint.v3.ClusterLoadAssignment')]: synced('c1'),
    [T('envoy.config.route.v3.RouteConfiguration')]: { sentTime: '0001-01-01T00:00:00Z' },
    ...overrides,
  },
});
const ztunnelEntry = (pod: string, version: string): SynczEntry => ({
  proxy: `${pod}.ztunnel`,
  proxy_type: 'ztunnel',
  istio_version: version,
  resources: {
    [T('istio.workload.Address')]: synced('w1'),
    [T('istio.security.Authorization')]: synced('z1'),
  },
});

const NEW = {
  pod: 'istiod-default-v1-30-3-7b9f8c5d6-xyz78',
  namespace: 'istio-system',
  revision: 'default-v1-30-3',
};
const OLD = {
  pod: 'istiod-default-v1-28-10-5c6d7e8f9-abcde',
  namespace: 'istio-system',
  revision: 'default-v1-28-10',
};

function rows(body: unknown, from = NEW): ProxyStatus[] {
  const r = parseSyncz(body, from);
  if (r instanceof Error) throw r;
  return r;
}

const WP = { namespace: 'bookinfo', name: 'waypoint', pods: ['waypoint-5d9c8b7f9-abc12'] };
const expectNew = { waypoint: WP, expectVersion: 'v1.30.3', expectRevision: 'default-v1-30-3' };

describe('syncz states (statusgen.go debugSyncStatus rules)', () => {
  it.each([
    [{ sent: 'a', acked: 'a' }, 'SYNCED'],
    [{ sent: 'b', acked: 'a' }, 'STALE'],
    [{}, 'NOT SENT'],
    [{ sent: 'a', acked: 'a', lastError: 'NACK' }, 'ERROR'],
  ] as const)('%j → %s', (resource, state) => expect(xdsStateOf(resource)).toBe(state));

  it('uses legacy nonces when resources are absent', () => {
    expect(entryStates({ proxy: 'p.ns', cluster_sent: 'x', cluster_acked: 'x', route_sent: 'y' })).toEqual({
      CDS: 'SYNCED',
      RDS: 'STALE',
    });
  });

  it('keeps the worse of Address and Workload, which share WDS', () => {
    const e = {
      proxy: 'z.ztunnel',
      resources: {
        [T('istio.workload.Address')]: synced('1'),
        [T('istio.workload.Workload')]: { sent: '2', acked: '1' },
      },
    };
    expect(entryStates(e).WDS).toBe('STALE');
  });

  it('records the istiod and revision of each row and splits pod from namespace', () => {
    const [row] = rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3')]);
    expect(row).toMatchObject({
      proxy: 'waypoint-5d9c8b7f9-abc12',
      namespace: 'bookinfo',
      type: 'waypoint',
      istiod: { pod: NEW.pod, revision: NEW.revision },
    });
  });

  it('rejects a body that is not an array of entries', () => {
    expect(parseSyncz({ proxies: [] }, NEW)).toBeInstanceOf(Error);
  });
});

describe('judgeWaypoint', () => {
  it('passes when synced on the new revision and version (RDS NOT SENT allowed)', () => {
    const j = judgeWaypoint(rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3')]), expectNew);
    expect(j.ok).toBe(true);
    expect(j.evidence).toContain('waypoint-5d9c8b7f9-abc12.bookinfo');
  });

  it('fails on the wrong version', () => {
    const j = judgeWaypoint(rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.28.10')]), expectNew);
    expect(j.ok).toBe(false);
    expect(j.reason).toContain('proxy version 1.28.10, expected 1.30.3');
  });

  it('fails when connected to the old istiod', () => {
    const j = judgeWaypoint(rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3')], OLD), expectNew);
    expect(j.reason).toContain(
      `connected to ${OLD.pod} (revision default-v1-28-10), expected revision default-v1-30-3`,
    );
  });

  it('fails on a STALE type', () => {
    const stale = waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3', {
      [T('envoy.config.endpoint.v3.ClusterLoadAssignment')]: { sent: '2', acked: '1' },
    });
    expect(judgeWaypoint(rows([stale]), expectNew).reason).toContain('EDS is STALE');
  });

  it('fails when LDS was never sent (only RDS may be NOT SENT)', () => {
    const e = waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3', {
      [T('envoy.config.listener.v3.Listener')]: {},
    });
    expect(judgeWaypoint(rows([e]), expectNew).reason).toContain('LDS is NOT SENT, expected SYNCED');
  });

  it('fails when a live pod is missing', () => {
    const j = judgeWaypoint([], expectNew);
    expect(j.reason).toContain('waypoint-5d9c8b7f9-abc12: missing');
  });

  it('fails when an old waypoint pod is still on the old istiod', () => {
    const merged = [
      ...rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3')]),
      ...rows([waypointEntry('waypoint-6f7a8b9c0-old12', '1.28.10')], OLD),
    ];
    const j = judgeWaypoint(merged, expectNew);
    expect(j.ok).toBe(false);
    expect(j.reason).toContain('waypoint-6f7a8b9c0-old12: connected to');
  });

  it('ignores other proxies of the namespace', () => {
    const other = { ...waypointEntry('productpage-v1-6b7f6c9f4d-x7k2p', '1.28.10'), proxy_type: 'sidecar' };
    expect(
      judgeWaypoint(rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3'), other]), expectNew).ok,
    ).toBe(true);
  });

  it('refuses a source without per-type states', () => {
    const [row] = rows([waypointEntry('waypoint-5d9c8b7f9-abc12', '1.30.3')]);
    if (!row) throw new Error('no row');
    const j = judgeWaypoint(
      [{ ...row, xds: {}, subscribedTypes: ['CDS'], source: 'istioctl-subscribed' }],
      expectNew,
    );
    expect(j.reason).toContain('no per-type xDS states');
  });
});

describe('judgeZtunnels', () => {
  const nodes = [
    { node: 'worker-1', pod: 'ztunnel-abcde', namespace: 'ztunnel' },
    { node: 'worker-2', pod: 'ztunnel-fghij', namespace: 'ztunnel' },
  ];
  it('passes when every node has a synced ztunnel on the version', () => {
    expect(
      judgeZtunnels(
        rows([ztunnelEntry('ztunnel-abcde', '1.30.3'), ztunnelEntry('ztunnel-fghij', '1.30.3')]),
        nodes,
        'v1.30.3',
      ).ok,
    ).toBe(true);
  });
  it('names the node whose ztunnel is missing or old', () => {
    const j = judgeZtunnels(rows([ztunnelEntry('ztunnel-abcde', '1.29.6')]), nodes, 'v1.30.3');
    expect(j.reason).toContain('proxy version 1.29.6, expected 1.30.3 (node worker-1)');
    expect(j.reason).toContain('ztunnel-fghij on worker-2: missing');
  });
});
