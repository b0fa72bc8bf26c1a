import { request } from 'undici';
import { z } from 'zod';
import { toError } from '../errors.ts';
import { Pod, parseAs } from './k8s-shapes.ts';
import type { MeshKube } from './kube.ts';
import {
  istiodOf,
  PROXY_TYPES,
  type ProxyStatus,
  type ProxyType,
  shortType,
  splitProxyId,
  type XdsState,
} from './proxy-status.ts';

// istiod `/debug/syncz` (pilot/pkg/xds/debug.go `SyncStatus`, istio master @ 86c9f01): a JSON array, one entry
// per connected proxy. There is no upstream golden of this body; the test fixture is built from that struct.

const ResourceStatus = z.object({
  sent: z.string().optional(),
  acked: z.string().optional(),
  sentTime: z.string().optional(),
  lastError: z.string().optional(),
});
export type ResourceStatus = z.infer<typeof ResourceStatus>;

const SynczEntry = z.object({
  proxy: z.string(),
  proxy_type: z.string().optional(),
  cluster_id: z.string().optional(),
  istio_version: z.string().optional(),
  cluster_sent: z.string().optional(),
  cluster_acked: z.string().optional(),
  listener_sent: z.string().optional(),
  listener_acked: z.string().optional(),
  route_sent: z.string().optional(),
  route_acked: z.string().optional(),
  endpoint_sent: z.string().optional(),
  endpoint_acked: z.string().optional(),
  extensionconfig_sent: z.string().optional(),
  extensionconfig_acked: z.string().optional(),
  resources: z.record(z.string(), ResourceStatus).optional(),
});
export type SynczEntry = z.infer<typeof SynczEntry>;

export const SynczBody = z.array(SynczEntry);

/**
 * One type's state, as istiod computes it for `istioctl proxy-status` (pilot/pkg/xds/statusgen.go
 * `debugSyncStatus`): an error wins, nothing sent is NOT SENT, the last sent nonce acked is SYNCED, else STALE.
 */
export function xdsStateOf(resource: ResourceStatus): XdsState {
  if (resource.lastError) return 'ERROR';
  if (!resource.sent) return 'NOT SENT';
  if (resource.acked === resource.sent) return 'SYNCED';
  return 'STALE';
}

const LEGACY_NONCES = [
  ['CDS', 'cluster'],
  ['LDS', 'listener'],
  ['RDS', 'route'],
  ['EDS', 'endpoint'],
  ['ECDS', 'extensionconfig'],
] as const;

/** Per-type states of one entry: from `resources` when istiod reports it, else from the legacy nonce pairs. */
export function entryStates(entry: SynczEntry): Record<string, XdsState> {
  const states: Record<string, XdsState> = {};
  if (entry.resources && Object.keys(entry.resources).length > 0) {
    for (const [typeUrl, resource] of Object.entries(entry.resources)) {
      const type = shortType(typeUrl);
      // Address and Workload both abbreviate to WDS; keep the worse of the two.
      states[type] = worse(states[type], xdsStateOf(resource));
    }
    return states;
  }
  for (const [type, prefix] of LEGACY_NONCES) {
    const sent = entry[`${prefix}_sent`];
    const acked = entry[`${prefix}_acked`];
    if (sent === undefined && acked === undefined) continue;
    states[type] = xdsStateOf({ ...(sent ? { sent } : {}), ...(acked ? { acked } : {}) });
  }
  return states;
}

const SEVERITY: Record<XdsState, number> = { IGNORED: 0, SYNCED: 1, 'NOT SENT': 2, STALE: 3, ERROR: 4 };

function worse(a: XdsState | undefined, b: XdsState): XdsState {
  return a === undefined || SEVERITY[b] > SEVERITY[a] ? b : a;
}

export interface IstiodSource {
  pod: string;
  namespace: string;
  /** The pod's `istio.io/rev` label. */
  revision: string | undefined;
}

/** Normalised rows from one istiod's syncz body; an unreadable body is an Error naming the istiod. */
export function parseSyncz(body: unknown, from: IstiodSource): ProxyStatus[] | Error {
  const parsed = SynczBody.safeParse(body);
  if (!parsed.success) {
    return new Error(
      `syncz of ${from.namespace}/${from.pod}: unexpected shape (${parsed.error.issues[0]?.message})`,
    );
  }
  return parsed.data.map((entry) => {
    const { proxy, namespace } = splitProxyId(entry.proxy);
    return {
      proxy,
      namespace,
      type: asProxyType(entry.proxy_type),
      cluster: entry.cluster_id,
      istiod: istiodOf(from.pod, from.revision),
      version: entry.istio_version,
      xds: entryStates(entry),
      source: 'syncz' as const,
    };
  });
}

function asProxyType(value: string | undefined): ProxyType | undefined {
  return PROXY_TYPES.find((t) => t === value);
}

/** istiod's monitoring port, which serves `/debug/*` while ENABLE_DEBUG_ON_HTTP=true (the default). */
export const ISTIOD_DEBUG_PORT = 15014;

/**
 * Reads one istiod's `/debug/syncz` through a port-forward: the request then arrives from loopback, which istiod
 * serves without authentication (pilot/pkg/xds/debug.go `allowAuthenticatedOrLocalhost`).
 */
export async function readSyncz(
  kube: MeshKube,
  istiod: IstiodSource,
  options: { namespaceFilter?: string; timeoutMs?: number } = {},
): Promise<ProxyStatus[]> {
  const forward = await kube.portForward(
    { namespace: istiod.namespace, name: istiod.pod },
    ISTIOD_DEBUG_PORT,
  );
  try {
    const query = options.namespaceFilter ? `?namespace=${encodeURIComponent(options.namespaceFilter)}` : '';
    const timeout = options.timeoutMs ?? 10_000;
    const response = await request(`http://127.0.0.1:${forward.localPort}/debug/syncz${query}`, {
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new Error(
        `GET /debug/syncz on ${istiod.namespace}/${istiod.pod}: HTTP ${response.statusCode} ${text.slice(0, 200)}`,
      );
    }
    const rows = parseSyncz(JSON.parse(text), istiod);
    if (rows instanceof Error) throw rows;
    return rows;
  } finally {
    await forward.close();
  }
}

/** Running istiod pods of every revision in a namespace (`app=istiod`), with their `istio.io/rev`. */
export async function listIstiods(kube: MeshKube, namespace: string): Promise<IstiodSource[]> {
  const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: 'app=istiod' });
  const out: IstiodSource[] = [];
  for (const raw of pods) {
    const pod = parseAs(Pod, raw, 'istiod Pod');
    if (pod instanceof Error || pod.status.phase !== 'Running' || pod.metadata.deletionTimestamp) continue;
    out.push({ pod: pod.metadata.name, namespace, revision: pod.metadata.labels?.['istio.io/rev'] });
  }
  return out;
}

export interface MergedSyncz {
  rows: ProxyStatus[];
  /** istiods that could not be read, with why; a missing istiod means missing rows, so callers must see it. */
  failures: { istiod: IstiodSource; error: string }[];
}

/** Every istiod lists only its own proxies (FACTS §4): query each and merge, keeping the source of each row. */
export async function readAllSyncz(
  kube: MeshKube,
  istiodNamespace: string,
  options: { namespaceFilter?: string; timeoutMs?: number } = {},
): Promise<MergedSyncz> {
  const istiods = await listIstiods(kube, istiodNamespace);
  const merged: MergedSyncz = { rows: [], failures: [] };
  for (const istiod of istiods) {
    try {
      merged.rows.push(...(await readSyncz(kube, istiod, options)));
    } catch (error) {
      merged.failures.push({ istiod, error: toError(error).message });
    }
  }
  if (istiods.length === 0) {
    merged.failures.push({
      istiod: { pod: '-', namespace: istiodNamespace, revision: undefined },
      error: `no Running app=istiod pod in ${istiodNamespace}`,
    });
  }
  return merged;
}
