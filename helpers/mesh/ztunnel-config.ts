import { z } from 'zod';
import { isVersionAlias, normaliseVersion, sameVersion, versionFromImage } from './images.ts';
import { isPodReady, Pod, parseAs } from './k8s-shapes.ts';

// What one node's ztunnel knows, from its admin `/config_dump` (localhost:15000 in the ztunnel pod; the suite
// port-forwards to it). Shape read from istio/ztunnel @ 62d8265 (FACTS header): src/admin.rs `ConfigDump` flattens
// the proxy state (src/state.rs: `workloads`, `services`, `policies`, `stagedServices`) next to `staticConfig`,
// `version` (src/version.rs `BuildInfo`, camelCase: `version`, `gitRevision`, …, `istioVersion`), `config`
// (camelCase, incl. `localNode`) and `certificates`. Workloads serialise src/state/workload.rs `Workload`
// (camelCase): `uid`, `name`, `namespace`, `node`, `protocol` (`TCP` | `HBONE`), `status` (`Healthy` |
// `Unhealthy`), … Parsing is lenient: unknown fields are dropped and fields ztunnel omits when empty stay undefined.

const Workload = z.object({
  uid: z.string().optional(),
  name: z.string().default(''),
  namespace: z.string(),
  node: z.string().optional(),
  protocol: z.string().optional(),
  status: z.string().optional(),
});
export type ZtunnelWorkload = z.infer<typeof Workload>;

const BuildInfo = z.object({ version: z.string().optional(), istioVersion: z.string().optional() });

/**
 * One entry of `workloadState` (src/inpod/admin.rs): the pods this ztunnel captured through the CNI, keyed by pod
 * UID, `Up` once it serves them (`Pending` while the netns hand-off is in progress).
 */
const WorkloadStateEntry = z.object({
  info: z
    .object({
      name: z.string().optional(),
      namespace: z.string().optional(),
      serviceAccount: z.string().optional(),
    })
    .optional(),
  state: z.string().optional(),
});
export type WorkloadStateEntry = z.infer<typeof WorkloadStateEntry>;

const Dump = z.object({
  workloads: z.array(z.unknown()),
  workloadState: z.record(z.string(), z.unknown()).optional(),
  version: z.union([z.string(), BuildInfo]).optional(),
  config: z.object({ localNode: z.string().nullish() }).optional(),
});

export interface ZtunnelConfig {
  workloads: ZtunnelWorkload[];
  /**
   * Pod UID → what this ztunnel serves (`workloadState`); undefined when the dump has none (an older ztunnel, or a
   * dump that is not from the in-pod mode): then nothing can show the node's pods are served.
   */
  workloadState?: Record<string, WorkloadStateEntry>;
  /** ztunnel's own version (`version.version`, else `version.istioVersion`) when it looks like one. */
  version?: string;
  /** `config.localNode`: the node this ztunnel serves, when reported. */
  localNode?: string;
  /** How many workload entries could not be read (no namespace, wrong types); set only when some were. */
  unreadable?: number;
}

/** Release builds report `1.30.3`; dev builds a git SHA and an unset env `unknown`: only the former count. */
function versionLike(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && /^v?\d+\.\d+/.test(trimmed) ? trimmed : undefined;
}

/**
 * Parses a ztunnel `/config_dump` body (the JSON text or the parsed value). An Error when it is not JSON or has no
 * `workloads` array (every ztunnel dump has one, possibly empty): the caller reports it as unreadable.
 */
export function parseZtunnelConfigDump(body: unknown): ZtunnelConfig | Error {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch (error) {
      return new Error(`ztunnel config_dump: not JSON (${(error as Error).message})`);
    }
  }
  const dump = parseAs(Dump, value, 'ztunnel config_dump');
  if (dump instanceof Error) return dump;
  const workloads: ZtunnelWorkload[] = [];
  let unreadable = 0;
  for (const raw of dump.workloads) {
    const parsed = Workload.safeParse(raw);
    if (parsed.success) workloads.push(parsed.data);
    else unreadable += 1;
  }
  let workloadState: Record<string, WorkloadStateEntry> | undefined;
  if (dump.workloadState !== undefined) {
    workloadState = {};
    for (const [uid, raw] of Object.entries(dump.workloadState)) {
      const parsed = WorkloadStateEntry.safeParse(raw);
      if (parsed.success) workloadState[uid] = parsed.data;
      else unreadable += 1;
    }
  }
  const v = dump.version;
  const version =
    typeof v === 'string' ? versionLike(v) : (versionLike(v?.version) ?? versionLike(v?.istioVersion));
  const localNode = dump.config?.localNode ?? undefined;
  return {
    workloads,
    ...(workloadState !== undefined ? { workloadState } : {}),
    ...(unreadable > 0 ? { unreadable } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(localNode ? { localNode } : {}),
  };
}

export interface NodeZtunnelJudgement {
  ok: boolean;
  reason: string;
  /**
   * `missing`: `namespace/name` of every pod that should be served but is not `Up` in this ztunnel's
   * `workloadState` (absent, or `Pending`; `reason` says which).
   * `ztunnelVersion`: the pod's image tag, else the version the dump reports.
   */
  evidence: { missing: string[]; ztunnelVersion?: string };
}

const NodePod = z.object({
  metadata: z.object({
    name: z.string(),
    uid: z.string().optional(),
    namespace: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({ nodeName: z.string().optional(), hostNetwork: z.boolean().optional() }).default({}),
  status: z.object({ phase: z.string().optional() }).default({}),
});

/** Why a pod passed in `podsOnNode` is not expected in the workload list, or undefined when it is. */
function notCaptured(pod: z.infer<typeof NodePod>, node: string): string | undefined {
  if (pod.spec.nodeName !== node) return `on node ${pod.spec.nodeName ?? 'none'}`;
  if (pod.status.phase !== 'Running') return `phase ${pod.status.phase ?? 'unknown'}`;
  if (pod.spec.hostNetwork) return 'host network';
  // Waypoints (FACTS §6) and opted-out pods carry this label; a sidecar-injected pod is not captured by ztunnel.
  if (pod.metadata.labels?.['istio.io/dataplane-mode'] === 'none') return 'istio.io/dataplane-mode=none';
  if (pod.metadata.annotations?.['sidecar.istio.io/status'] !== undefined) return 'sidecar-injected';
  return undefined;
}

/** `expected` exact → same version; `vX.Y-latest` → same minor; `master` names nothing checkable. */
function versionMatches(actual: string, expected: string): boolean {
  if (!isVersionAlias(expected)) return sameVersion(actual, expected);
  const minor = /^(\d+\.\d+)-latest$/.exec(normaliseVersion(expected))?.[1];
  if (minor === undefined) return true;
  return normaliseVersion(actual) === minor || normaliseVersion(actual).startsWith(`${minor}.`);
}

/**
 * After a node's ztunnel was replaced: the ztunnel pod on `node` is live, Ready and runs `expectVersion` (tag of
 * container `istio-proxy`; for a digest-pinned image the version its dump reports), the dump comes from that node,
 * and every ambient pod on the node (the caller passes the Running pods of ambient-enrolled namespaces) is served by
 * this ztunnel: its pod UID is in the dump's `workloadState` in state `Up`. Not the xDS `workloads` list: every
 * ztunnel holds every workload of the mesh, so being listed there proves nothing about this node (FACTS §11).
 * Pods the caller passed that ztunnel does not capture (other node, not Running, host network,
 * `istio.io/dataplane-mode=none`, sidecar-injected) are skipped and counted in `reason`.
 */
export function judgeNodeZtunnel(input: {
  node: string;
  expectVersion: string;
  ztunnelPod: unknown;
  configDump: ZtunnelConfig;
  podsOnNode: readonly unknown[];
}): NodeZtunnelJudgement {
  const { node, expectVersion, configDump } = input;
  const problems: string[] = [];

  const pod = parseAs(Pod, input.ztunnelPod, 'ztunnel Pod');
  let podName = '?';
  let imageVersion: string | undefined;
  if (pod instanceof Error) problems.push(pod.message);
  else {
    podName = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
    if (pod.spec.nodeName !== node)
      problems.push(`ztunnel ${podName} runs on ${pod.spec.nodeName ?? 'no node'}`);
    if (pod.metadata.deletionTimestamp !== undefined) problems.push(`ztunnel ${podName} is terminating`);
    if (!isPodReady(pod)) problems.push(`ztunnel ${podName} is not Ready`);
    const image = pod.spec.containers.find((c) => c.name === 'istio-proxy')?.image;
    if (image === undefined) problems.push(`ztunnel ${podName} has no istio-proxy container image`);
    imageVersion = versionFromImage(image);
    if (imageVersion !== undefined && !versionMatches(imageVersion, expectVersion)) {
      problems.push(`ztunnel ${podName} runs image ${image}, expected version ${expectVersion}`);
    }
  }
  if (configDump.version !== undefined && !versionMatches(configDump.version, expectVersion)) {
    problems.push(`config_dump reports ztunnel version ${configDump.version}, expected ${expectVersion}`);
  }
  const ztunnelVersion = imageVersion ?? configDump.version;
  if (ztunnelVersion === undefined && !(pod instanceof Error)) {
    problems.push('cannot tell the ztunnel version: no version tag on its image and none in config_dump');
  }
  if (configDump.localNode !== undefined && configDump.localNode !== node) {
    problems.push(`config_dump comes from the ztunnel on ${configDump.localNode}, not ${node}`);
  }

  const missing: string[] = [];
  const why: string[] = [];
  const skipped: string[] = [];
  let checked = 0;
  const state = configDump.workloadState;
  if (state === undefined)
    problems.push('config_dump has no workloadState: cannot tell which pods this ztunnel serves');
  for (const raw of input.podsOnNode) {
    const parsed = NodePod.safeParse(raw);
    if (!parsed.success) {
      problems.push('a pod on the node is unreadable (no name or namespace)');
      continue;
    }
    const p = parsed.data;
    const id = `${p.metadata.namespace}/${p.metadata.name}`;
    const skip = notCaptured(p, node);
    if (skip !== undefined) {
      skipped.push(`${id} (${skip})`);
      continue;
    }
    checked += 1;
    if (state === undefined) {
      missing.push(id);
      continue;
    }
    const uid = p.metadata.uid;
    const entry = uid === undefined ? undefined : state[uid];
    if (entry?.state === 'Up') continue;
    missing.push(id);
    if (uid === undefined) why.push(`${id} has no UID to look up`);
    else if (entry === undefined) why.push(`${id} (uid ${uid}) not in this ztunnel's workloadState`);
    else why.push(`${id} (uid ${uid}) is ${entry.state ?? 'in no state'} in workloadState, expected Up`);
  }
  if (why.length > 0) problems.push(...why);

  const seen = `ztunnel ${podName} on ${node}: version ${ztunnelVersion ?? 'unknown'}; ${checked} ambient pod(s) checked against ${state === undefined ? 'no' : Object.keys(state).length} workloadState entr${state !== undefined && Object.keys(state).length === 1 ? 'y' : 'ies'}${skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''}`;
  const evidence = { missing, ...(ztunnelVersion !== undefined ? { ztunnelVersion } : {}) };
  return problems.length === 0
    ? { ok: true, reason: seen, evidence }
    : { ok: false, reason: `${seen} — not ok: ${problems.join('; ')}`, evidence };
}
