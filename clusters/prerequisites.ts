import { probeApi } from './existing/api-probe.ts';
import { assertClusterAllowed, type ResolvedKubeconfig, resolveKubeconfig } from './existing/kubeconfig.ts';
import { detectFacts, type ProviderFacts } from './facts.ts';
import { MISSING, PrerequisiteError } from './kind/prerequisites.ts';
import { findOnPath } from './tools.ts';

// The kind checks live apart so `run` can make them without loading the cluster client; re-exported here so
// existing imports keep working.
export {
  checkKindPrerequisites,
  type KindPrerequisites,
  MISSING,
  PrerequisiteError,
} from './kind/prerequisites.ts';

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
      `the API server of context "${resolved.context}" (${resolved.server}) ${api.answered === false ? 'did not answer' : 'is not usable'}: ${api.reason} — ${api.fix}`,
    );
  } else {
    try {
      facts = await detect(resolved);
    } catch (error) {
      // Discovery answered a moment ago; a list failing now is the same class of problem, said in one line.
      const status = (error as { code?: unknown }).code;
      problems.push(
        `could not read the operators installed on context "${resolved.context}" (${typeof status === 'number' ? `HTTP ${status}` : (error as Error).name}) — check the cluster's API services (kubectl get apiservices) and the user's rights`,
      );
    }
  }
  // Without facts we cannot know whether helm will be needed; report it anyway so a second run is not a surprise.
  if (!(await helmPath) && !facts?.operatorPreinstalled) problems.push(MISSING.helm);
  if (problems.length > 0 || !facts) throw new PrerequisiteError(problems);
  return { resolved, facts };
}
