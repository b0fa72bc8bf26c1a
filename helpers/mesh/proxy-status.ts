import { normaliseVersion, sameVersion } from './images.ts';
import { revisionFromIstiodPodName } from './revisions.ts';

export const XDS_STATES = ['SYNCED', 'STALE', 'NOT SENT', 'ERROR', 'IGNORED'] as const;
export type XdsState = (typeof XDS_STATES)[number];

export const PROXY_TYPES = ['sidecar', 'router', 'waypoint', 'ztunnel', 'agentgateway'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

export type ProxyStatusSource = 'syncz' | 'istioctl-table' | 'istioctl-subscribed' | 'istioctl-json';

/** One proxy as one istiod sees it, from any source. */
export interface ProxyStatus {
  /** Pod name (the part of the xDS node id before `.<namespace>`). */
  proxy: string;
  namespace: string | undefined;
  /** Only `/debug/syncz` reports the proxy type. */
  type: ProxyType | undefined;
  cluster: string | undefined;
  /** The istiod pod the proxy is connected to; `revision` from the pod's `istio.io/rev` or its name. */
  istiod: { pod: string; revision: string | undefined };
  /** The proxy's own Istio version. */
  version: string | undefined;
  /** Per xDS type by short name (CDS, LDS, EDS, RDS, ECDS, WDS, WADS, …). Empty when the source has no states. */
  xds: Record<string, XdsState>;
  /** Types listed by istioctl ≥ 1.27's default layout, which shows subscriptions but no states. */
  subscribedTypes?: string[];
  source: ProxyStatusSource;
}

/** Short names as istio `pkg/model/xds.go` `GetShortType`; unknown URLs stay whole. */
const SHORT_TYPES: Record<string, string> = {
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': 'CDS',
  'type.googleapis.com/envoy.config.listener.v3.Listener': 'LDS',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': 'RDS',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret': 'SDS',
  'type.googleapis.com/istio.networking.nds.v1.NameTable': 'NDS',
  'type.googleapis.com/istio.mesh.v1alpha1.ProxyConfig': 'PCDS',
  'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig': 'ECDS',
  'type.googleapis.com/istio.workload.Address': 'WDS',
  'type.googleapis.com/istio.workload.Workload': 'WDS',
  'type.googleapis.com/istio.security.Authorization': 'WADS',
};

export function shortType(typeUrl: string): string {
  return SHORT_TYPES[typeUrl] ?? typeUrl;
}

/** Splits an xDS proxy id `<pod>.<namespace>` (namespaces hold no dots; pod names may). */
export function splitProxyId(id: string): { proxy: string; namespace: string | undefined } {
  const dot = id.lastIndexOf('.');
  return dot < 0
    ? { proxy: id, namespace: undefined }
    : { proxy: id.slice(0, dot), namespace: id.slice(dot + 1) };
}

export function istiodOf(pod: string, revision?: string): { pod: string; revision: string | undefined } {
  return { pod, revision: revision ?? revisionFromIstiodPodName(pod) };
}

export interface Judgement {
  ok: boolean;
  reason: string;
  /** The rows the judgement looked at, as a table, for the report. */
  evidence: string;
}

/** Types a waypoint may legitimately leave NOT SENT (FACTS §4). */
const WAYPOINT_NOT_SENT_OK = new Set(['RDS']);
/** Types without which an Envoy-based proxy has no configuration at all. */
const WAYPOINT_REQUIRED = ['CDS', 'LDS'];
const ZTUNNEL_REQUIRED = ['WDS'];

/**
 * Whether a waypoint finished its move: every live waypoint pod has exactly one row, every reported xDS type is
 * SYNCED (RDS may be NOT SENT; IGNORED = not subscribed), CDS and LDS are SYNCED, the proxy version equals
 * `expectVersion`, the istiod it talks to belongs to `expectRevision`, and no row of this waypoint (live or not)
 * is still on another revision's istiod (FACTS §8: relabelled/unlabelled waypoints stuck on the old istiod).
 *
 * `waypoint.pods` are the live pod names (from a pod list); rows of other pods of the same Deployment
 * (`<name>-<hash>-<hash>`) also count, so a terminating pod still on the old istiod is caught.
 */
export function judgeWaypoint(
  rows: readonly ProxyStatus[],
  expect: {
    waypoint: { namespace: string; name: string; pods: readonly string[] };
    expectVersion: string;
    expectRevision: string;
  },
): Judgement {
  const { waypoint } = expect;
  const podPattern = new RegExp(`^${escapeRegExp(waypoint.name)}-[a-z0-9]+-[a-z0-9]+$`);
  const mine = rows.filter(
    (r) =>
      r.namespace === waypoint.namespace && (waypoint.pods.includes(r.proxy) || podPattern.test(r.proxy)),
  );
  const problems: string[] = [];
  if (waypoint.pods.length === 0)
    problems.push(`no live pods of waypoint ${waypoint.namespace}/${waypoint.name}`);
  for (const pod of waypoint.pods) {
    const found = mine.filter((r) => r.proxy === pod);
    if (found.length === 0)
      problems.push(`${pod}: missing from proxy status (not connected to any istiod queried)`);
    if (found.length > 1) {
      problems.push(
        `${pod}: reported by ${found.length} istiods (${found.map((r) => r.istiod.pod).join(', ')})`,
      );
    }
  }
  for (const row of mine) {
    const live = waypoint.pods.includes(row.proxy);
    problems.push(
      ...judgeRow(row, expect.expectVersion, expect.expectRevision, live ? 'waypoint' : 'old-pod'),
    );
  }
  return judgement(problems, mine, `waypoint ${waypoint.namespace}/${waypoint.name}`);
}

/**
 * Whether every ztunnel is connected and synced on the expected version: one row per ztunnel pod given (pod per
 * node), WDS (and any other reported type) SYNCED, version equal, and, when given, an istiod of `expectRevision`.
 */
export function judgeZtunnels(
  rows: readonly ProxyStatus[],
  nodes: readonly { node: string; pod: string; namespace: string }[],
  expectVersion: string,
  expectRevision?: string,
): Judgement {
  const problems: string[] = [];
  const seen: ProxyStatus[] = [];
  if (nodes.length === 0) problems.push('no ztunnel pods given');
  for (const { node, pod, namespace } of nodes) {
    const found = rows.filter((r) => r.proxy === pod && r.namespace === namespace);
    seen.push(...found);
    if (found.length === 0) problems.push(`${pod} on ${node}: missing from proxy status`);
    if (found.length > 1) problems.push(`${pod} on ${node}: reported by ${found.length} istiods`);
    for (const row of found)
      problems.push(
        ...judgeRow(row, expectVersion, expectRevision, 'ztunnel').map((p) => `${p} (node ${node})`),
      );
  }
  return judgement(problems, seen, 'ztunnels');
}

type RowRole = 'waypoint' | 'old-pod' | 'ztunnel';

function judgeRow(row: ProxyStatus, version: string, revision: string | undefined, role: RowRole): string[] {
  const name = row.proxy;
  const out: string[] = [];
  const revisionSeen = row.istiod.revision;
  if (revision !== undefined && revisionSeen !== revision) {
    out.push(
      `${name}: connected to ${row.istiod.pod} (revision ${revisionSeen ?? 'unknown'}), expected revision ${revision}`,
    );
  }
  if (role === 'old-pod') {
    // A pod no longer in the live list: only its being on the wrong istiod matters (reported above).
    return out;
  }
  if (!sameVersion(row.version, version)) {
    out.push(`${name}: proxy version ${row.version ?? 'unknown'}, expected ${normaliseVersion(version)}`);
  }
  const types = Object.keys(row.xds);
  if (types.length === 0) {
    out.push(
      `${name}: no per-type xDS states in this source (${row.source}); use /debug/syncz or istioctl proxy-status -v 1`,
    );
    return out;
  }
  const required = role === 'ztunnel' ? ZTUNNEL_REQUIRED : WAYPOINT_REQUIRED;
  for (const type of required) {
    if (row.xds[type] !== 'SYNCED')
      out.push(`${name}: ${type} is ${row.xds[type] ?? 'absent'}, expected SYNCED`);
  }
  for (const [type, state] of Object.entries(row.xds)) {
    if (required.includes(type) || state === 'SYNCED' || state === 'IGNORED') continue;
    if (state === 'NOT SENT' && role === 'waypoint' && WAYPOINT_NOT_SENT_OK.has(type)) continue;
    out.push(`${name}: ${type} is ${state}`);
  }
  return out;
}

function judgement(problems: readonly string[], rows: readonly ProxyStatus[], what: string): Judgement {
  const evidence = renderProxyStatus(rows);
  return problems.length === 0
    ? {
        ok: true,
        reason: `${what}: all ${rows.length} rows synced on the expected version and revision`,
        evidence,
      }
    : { ok: false, reason: `${what}: ${problems.join('; ')}`, evidence };
}

/** A plain-text table of rows, one per proxy, for reports and wait timeouts. */
export function renderProxyStatus(rows: readonly ProxyStatus[]): string {
  const header = ['NAME', 'TYPE', 'ISTIOD', 'REVISION', 'VERSION', 'XDS', 'SOURCE'];
  const lines = rows.map((r) => [
    r.namespace ? `${r.proxy}.${r.namespace}` : r.proxy,
    r.type ?? '-',
    r.istiod.pod,
    r.istiod.revision ?? '-',
    r.version ?? '-',
    Object.keys(r.xds).length > 0
      ? Object.entries(r.xds)
          .map(([t, s]) => `${t}=${s}`)
          .join(',')
      : `subscribed:${(r.subscribedTypes ?? []).join(',') || '-'}`,
    r.source,
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  return all
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
