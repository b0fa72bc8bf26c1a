import { UserError } from '../helpers/errors.ts';
import { type ContainerEngine, detectContainerEngine } from './container-engine.ts';
import { probeApi } from './existing/api-probe.ts';
import { assertClusterAllowed, type ResolvedKubeconfig, resolveKubeconfig } from './existing/kubeconfig.ts';
import { detectFacts, type ProviderFacts } from './facts.ts';
import { findOnPath } from './tools.ts';

/** Every missing prerequisite at once, one line each (problem — fix), exit 2. */
export class PrerequisiteError extends UserError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    // The CLI prefixes the first line with the program name; the others get the same prefix here so every line
    // reads alike.
    super(problems.join('\nambient-upgrade: '));
    this.name = 'PrerequisiteError';
    this.problems = problems;
  }
}

export const MISSING = {
  kind: 'kind not found on PATH — install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or use --provider existing --kubeconfig <file>',
  helm: 'helm not found on PATH — install Helm (https://helm.sh/docs/intro/install/), or preinstall the Sail operator through OLM',
} as const;

export interface KindPrerequisites {
  readonly engine: ContainerEngine;
}

/** kind needs a container engine that answers, kind and helm. Nothing is created before this passes. */
export async function checkKindPrerequisites(
  env: NodeJS.ProcessEnv = process.env,
): Promise<KindPrerequisites> {
  const [engine, kind, helm] = await Promise.all([
    detectContainerEngine(env),
    findOnPath('kind', env),
    findOnPath('helm', env),
  ]);
  const problems: string[] = [];
  if (!engine.ok) problems.push(engine.problem);
  if (!kind) problems.push(MISSING.kind);
  if (!helm) problems.push(MISSING.helm);
  if (!engine.ok || problems.length > 0) throw new PrerequisiteError(problems);
  return { engine: engine.engine };
}

export interface ExistingPrerequisites {
  readonly resolved: ResolvedKubeconfig;
  readonly facts: ProviderFacts;
}

/**
 * An existing cluster needs a readable kubeconfig and context, `--allow-cluster` naming that context (checked
 * before any request), an API that answers, and helm unless the Sail operator is already installed (OLM).
 */
export async function checkExistingPrerequisites(
  input: { kubeconfigPath: string; context: string | undefined; allowCluster: string | undefined },
  {
    env = process.env,
    detect = (r: ResolvedKubeconfig) => detectFacts(r.kubeconfig),
  }: { env?: NodeJS.ProcessEnv; detect?: (r: ResolvedKubeconfig) => Promise<ProviderFacts> } = {},
): Promise<ExistingPrerequisites> {
  const helmPath = findOnPath('helm', env);
  const resolved = resolveKubeconfig(input.kubeconfigPath, input.context);
  assertClusterAllowed(resolved.context, input.allowCluster);
  const api = await probeApi(resolved.kubeconfig);
  const problems: string[] = [];
  let facts: ProviderFacts | undefined;
  if (!api.ok) {
    problems.push(
      `the API server of context "${resolved.context}" (${resolved.server}) did not answer: ${api.reason} — check the cluster is up and the kubeconfig is current`,
    );
  } else {
    facts = await detect(resolved);
  }
  // Without facts we cannot know whether helm will be needed; report it anyway so a second run is not a surprise.
  if (!(await helmPath) && !facts?.operatorPreinstalled) problems.push(MISSING.helm);
  if (problems.length > 0 || !facts) throw new PrerequisiteError(problems);
  return { resolved, facts };
}
