// The kwok branch of `run`'s prepare step: prerequisites in one line, then the provider. Nothing is created here.
import { kindClusterName } from '../clusters/run-id.ts';
import type { ClusterProvider } from '../clusters/types.ts';

export async function prepareKwok(input: {
  runId: string;
  runDir: string;
  workers: number;
  podStages: 'fast' | 'delayed';
  operatorChart: string | undefined;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<{ provider: ClusterProvider; clusterName: string }> {
  const { checkKwokPrerequisites } = await import('../clusters/kwok/prerequisites.ts');
  const { versions, binaries } = await checkKwokPrerequisites(input.env);
  const { KwokProvider } = await import('../clusters/kwok/provider.ts');
  // Same `aus-<runId>` name as a kind cluster: it also names the network namespace, so cleanup finds both.
  const clusterName = kindClusterName(input.runId);
  const provider = new KwokProvider({
    clusterName,
    runDir: input.runDir,
    workers: input.workers,
    stages: input.podStages,
    versions,
    binaries,
    ...(input.operatorChart ? { operatorChart: input.operatorChart } : {}),
    log: input.log,
  });
  return { provider, clusterName };
}
