import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_CAPABILITIES } from '../../helpers/capabilities.ts';
import { detectFacts, type ProviderFacts } from '../facts.ts';
import { RUN_ID_LABEL } from '../run-id.ts';
import { describeSweep, sweepRunObjects } from '../sweep.ts';
import type { ClusterHandle, ClusterProvider, KeepInstructions } from '../types.ts';
import type { ResolvedKubeconfig } from './kubeconfig.ts';

/** Sail uninstalls its charts before namespaces can go; a whole sweep gets this long. */
const DESTROY_DEADLINE_MS = 5 * 60_000;

export interface ExistingOptions {
  readonly resolved: ResolvedKubeconfig;
  readonly runId: string;
  /** `runs/<id>/`: the run's inventory, which `destroy` sweeps by. */
  readonly runDir: string;
  readonly log?: (line: string) => void;
  /** Injected by tests; defaults to reading the cluster through client-node. */
  readonly detect?: (resolved: ResolvedKubeconfig) => Promise<ProviderFacts>;
}

/**
 * A cluster the user already has (OpenShift included). The suite never creates or deletes the cluster itself:
 * `destroy` removes only the objects labelled with this run's id. Only constructed after `--allow-cluster` matched.
 */
export class ExistingProvider implements ClusterProvider, KeepInstructions {
  readonly name = 'existing' as const;
  /** Real nodes running real pods, and istiod as the mesh runs it. */
  readonly capabilities = ALL_CAPABILITIES;
  readonly #o: ExistingOptions;
  #facts: ProviderFacts | undefined;

  constructor(options: ExistingOptions) {
    this.#o = options;
  }

  get kubeconfigPath(): string {
    return this.#o.resolved.path;
  }

  describe(): string {
    return `existing cluster, context ${this.#o.resolved.context} (${this.#o.resolved.server})`;
  }

  async up(): Promise<ClusterHandle> {
    const detect = this.#o.detect ?? ((r: ResolvedKubeconfig) => detectFacts(r.kubeconfig));
    this.#facts = await detect(this.#o.resolved);
    return {
      provider: 'existing',
      name: this.#o.resolved.context,
      kubeconfigPath: this.#o.resolved.path,
      context: this.#o.resolved.context,
      facts: this.#facts,
    };
  }

  /**
   * Removes what the run's inventory lists and nothing else (its Helm release included), restores the labels it
   * changed, keeps the CRDs it installed; what did not go within the deadline is an error naming each object.
   */
  async destroy(signal?: AbortSignal): Promise<void> {
    const { resolved, runId, runDir } = this.#o;
    const result = await sweepRunObjects(resolved.kube, runId, {
      runDir,
      scope: 'run',
      deadlineMs: DESTROY_DEADLINE_MS,
      kubeconfigPath: resolved.path,
      context: resolved.context,
      ...(signal ? { signal } : {}),
    });
    for (const line of describeSweep(result)) this.#o.log?.(line);
    if (result.leftovers.length > 0) {
      throw new Error(
        `${result.leftovers.length} object(s) of run ${runId} were not removed: ${result.leftovers.join('; ')}`,
      );
    }
  }

  /** Pod logs and events are collected by the suites' evidence helpers; here only what identifies the cluster. */
  async exportLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cluster.txt'), `${this.describe()}\n`);
  }

  keepInstructions(runId: string): string[] {
    const { path, context } = this.#o.resolved;
    return [
      `kept this run's objects on context ${context}. To use them:`,
      `  export KUBECONFIG=${path}`,
      `  kubectl --context ${context} get namespaces -l ${RUN_ID_LABEL}=${runId}`,
      'To delete them:',
      `  npx ambient-upgrade cleanup --run ${runId} --kubeconfig ${path} --context ${context} --allow-cluster ${context}`,
    ];
  }
}
