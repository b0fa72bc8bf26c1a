import type { Kube } from '../../helpers/k8s/client.ts';
import type { PodSnapshot } from '../../helpers/k8s/snapshot.ts';
import type { MeshKube } from '../../helpers/mesh/kube.ts';
import type { Plan } from '../../helpers/plan/types.ts';
import type { RunConfig } from '../run-config.ts';

/** A background probe process started in a pod, stopped and collected by a later step. */
export interface BackgroundProbe {
  label: string;
  namespace: string;
  pod: string;
  container: string;
  pid: number;
  outFile: string;
  clientNode: string;
  serverNode?: string;
  startedAt: number;
}

/** A time window in which a node was being drained (cordon to uncordon), for the node-drain judgement. */
export interface DrainWindow {
  node: string;
  start: number;
  end: number;
}

/**
 * Everything the step runners share during one scenario. State that later steps read (snapshots, background
 * probes, drain windows, generations after a patch) lives here instead of in module globals.
 */
export interface RunContext {
  kube: Kube;
  mesh: MeshKube;
  config: RunConfig;
  plan: Plan;
  signal: AbortSignal;
  /** `role-index` (plan's symbolic node) → real node name. */
  nodes: Map<string, string>;
  /** `kind/namespace/name` → `metadata.generation` right after an upgrade patch. */
  generations: Map<string, number>;
  snapshots: Map<string, { namespaces: string[]; selector: string; pods: PodSnapshot[] }>;
  background: Map<string, BackgroundProbe[]>;
  drainWindows: DrainWindow[];
  /** Every ztunnel pod seen while a connections run was active, last state per UID. */
  ztunnelPods: Map<string, unknown>;
  /** Stops the ztunnel pod observer of a connections run. */
  observers: Map<string, () => Promise<void>>;
}
