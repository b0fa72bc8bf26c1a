import type { RunMetaInput } from '../helpers/report/summary-schema.ts';
import { formatSail, type Version } from '../helpers/versions/index.ts';
import type { LaunchOptions } from './launch-contract.ts';

/** What launch saw of the cluster and settled on before the scenarios start. */
export interface SeenCluster {
  readonly startedAt: string;
  readonly kubernetesVersion: string;
  readonly nodeCount: number;
  readonly from: Version;
  readonly to: Version;
}

/**
 * The run record every report opens with. Its `notes` carry the provider's facts a reader must know to judge
 * the run (kwok: the webhook admission plugins are off), shown on the certification page and in summary.json.
 */
export function runMetaOf(options: LaunchOptions, seen: SeenCluster): RunMetaInput {
  return {
    runId: options.runId,
    startedAt: seen.startedAt,
    cluster: {
      provider: options.provider,
      kubernetesVersion: seen.kubernetesVersion,
      nodeCount: seen.nodeCount,
      openshift: options.facts.openshift,
      capabilities: [...options.capabilities],
    },
    operator: {
      version: options.operatorVersion,
      image:
        options.hub && options.tag
          ? `${options.hub}/sail-operator:${options.tag}`
          : `chart default (${options.operatorVersion})`,
    },
    istio: { from: formatSail(seen.from), to: formatSail(seen.to) },
    scenarios: [...options.scenarios],
    notes: [...(options.install?.notes ?? [])],
  };
}
