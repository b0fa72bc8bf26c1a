import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_CAPABILITIES } from '../../helpers/capabilities.ts';
import { detectFacts, type ProviderFacts } from '../facts.ts';
import { RUN_ID_LABEL } from '../run-id.ts';
import { sweepRunObjects } from '../sweep.ts';
import type { ClusterHandle, ClusterProvider, KeepInstructions } from '../types.ts';
import type { ResolvedKubeconfig } from './kubeconfig.ts';

export interface ExistingOptions {
  readonly resolved: ResolvedKubeconfig;
  readonly runId: string;
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

  async destroy(): Promise<void> {
    const deleted = await sweepRunObjects(this.#o.resolved.kubeconfig, this.#o.runId);
    if (deleted.length > 0) this.#o.log?.(`deleted ${deleted.join(', ')}`);
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
