import { stringify } from 'yaml';
import { toError } from '../errors.ts';
import type { MeshKube } from './kube.ts';
import { type ProxyStatus, renderProxyStatus } from './proxy-status.ts';
import { readAllSyncz } from './syncz.ts';
import { SAIL_API } from './waits.ts';
import { WAYPOINT_GATEWAY_LABEL } from './waypoint-readiness.ts';

/** One file attached to a failed step (helpers/report attaches them to allure). */
export interface Attachment {
  name: string;
  contentType: 'text/plain' | 'application/yaml' | 'application/json';
  body: string;
}

const SAIL_KINDS = ['Istio', 'IstioRevision', 'IstioRevisionTag', 'IstioCNI', 'ZTunnel'] as const;

/** Strips what makes CR dumps long and unhelpful (managedFields), keeping spec and status. Pure. */
export function trimForEvidence(object: unknown): unknown {
  if (typeof object !== 'object' || object === null) return object;
  const { metadata, ...rest } = object as { metadata?: Record<string, unknown> };
  if (!metadata) return object;
  const { managedFields: _dropped, ...keptMetadata } = metadata;
  return { ...rest, metadata: keptMetadata };
}

/** Sail CRs as one YAML attachment per kind. Pure over the listed objects. */
export function sailStatusAttachments(byKind: Record<string, readonly unknown[]>): Attachment[] {
  return Object.entries(byKind).map(([kind, objects]) => ({
    name: `sail-${kind.toLowerCase()}.yaml`,
    contentType: 'application/yaml' as const,
    body:
      objects.length === 0
        ? `# no ${kind} objects\n`
        : objects.map((o) => stringify(trimForEvidence(o))).join('---\n'),
  }));
}

export function proxyStatusAttachment(
  rows: readonly ProxyStatus[],
  failures: readonly string[] = [],
): Attachment {
  const body = [renderProxyStatus(rows), ...failures.map((f) => `unreadable: ${f}`)].join('\n');
  return { name: 'proxy-status.txt', contentType: 'text/plain', body };
}

export interface MeshEvidenceOptions {
  istioNamespace?: string;
  ztunnelNamespace?: string;
  /** Waypoints whose pods' logs to tail. */
  waypoints?: readonly { namespace: string; name: string }[];
  tailLines?: number;
}

/**
 * Everything about the mesh worth keeping when an assertion fails. Never throws: an unreadable piece becomes an
 * attachment saying why, so evidence collection cannot hide the original failure.
 */
export async function collectMeshEvidence(
  kube: MeshKube,
  options: MeshEvidenceOptions = {},
): Promise<Attachment[]> {
  const tailLines = options.tailLines ?? 200;
  const istioNamespace = options.istioNamespace ?? 'istio-system';
  const out: Attachment[] = [];
  const guard = async (name: string, work: () => Promise<Attachment[]>) => {
    try {
      out.push(...(await work()));
    } catch (error) {
      out.push({ name: `${name}.error.txt`, contentType: 'text/plain', body: toError(error).message });
    }
  };
  await guard('sail-status', async () => {
    const byKind: Record<string, unknown[]> = {};
    for (const kind of SAIL_KINDS) byKind[kind] = await kube.list({ apiVersion: SAIL_API, kind });
    return sailStatusAttachments(byKind);
  });
  await guard('proxy-status', async () => {
    const merged = await readAllSyncz(kube, istioNamespace);
    return [
      proxyStatusAttachment(
        merged.rows,
        merged.failures.map((f) => `${f.istiod.pod}: ${f.error}`),
      ),
    ];
  });
  const logTargets: { namespace: string; selector: string; container?: string; label: string }[] = [
    { namespace: istioNamespace, selector: 'app=istiod', container: 'discovery', label: 'istiod' },
    {
      namespace: options.ztunnelNamespace ?? 'ztunnel',
      selector: 'app=ztunnel',
      container: 'istio-proxy',
      label: 'ztunnel',
    },
    ...(options.waypoints ?? []).map((w) => ({
      namespace: w.namespace,
      selector: `${WAYPOINT_GATEWAY_LABEL}=${w.name}`,
      container: 'istio-proxy',
      label: `waypoint-${w.namespace}-${w.name}`,
    })),
  ];
  for (const target of logTargets) {
    await guard(`logs-${target.label}`, async () => {
      const pods = await kube.list({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: target.namespace,
        labelSelector: target.selector,
      });
      const attachments: Attachment[] = [];
      for (const pod of pods) {
        const name = (pod as { metadata: { name: string } }).metadata.name;
        const body = await kube
          .logs(
            {
              namespace: target.namespace,
              name,
              ...(target.container ? { container: target.container } : {}),
            },
            { tailLines },
          )
          .catch((error: unknown) => `(logs unavailable: ${toError(error).message})`);
        attachments.push({ name: `logs-${target.label}-${name}.txt`, contentType: 'text/plain', body });
      }
      return attachments;
    });
  }
  return out;
}
