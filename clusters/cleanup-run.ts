import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../helpers/errors.ts';
import { kindEnv } from './container-engine.ts';
import { assertClusterAllowed, resolveKubeconfig } from './existing/kubeconfig.ts';
import { deleteKindCluster, listKindClusters } from './kind/provider.ts';
import { RUN_RECORD_FILE } from './lifecycle.ts';
import { MISSING } from './prerequisites.ts';
import { isRunId, KIND_CLUSTER_PREFIX, kindClusterName, runDirOf } from './run-id.ts';
import { describeSweep, sweepRunObjects } from './sweep.ts';
import { findOnPath } from './tools.ts';
import { PROVIDER_NAMES } from './types.ts';

const RunRecordSchema = z.object({
  runId: z.string(),
  provider: z.enum(PROVIDER_NAMES),
  clusterName: z.string(),
  kubeconfigPath: z.string(),
  context: z.string().optional(),
  engine: z.enum(['docker', 'podman']).optional(),
  startedAt: z.string(),
});

/** How long `cleanup` waits for the operator to uninstall the mesh and for namespaces to go. */
const CLEANUP_DEADLINE_MS = 5 * 60_000;

export interface CleanupRunInput {
  readonly runId: string;
  readonly runsRoot?: string;
  readonly kubeconfigPath?: string;
  readonly context?: string;
  readonly allowCluster?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

async function readRecord(runId: string, runsRoot: string | undefined) {
  const file = join(runDirOf(runId, runsRoot), RUN_RECORD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined; // no record: the run crashed before writing it, or ran elsewhere
  }
  const parsed = RunRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new UserError(
      `${file} is not a run record — delete it, or pass --kubeconfig for an existing cluster`,
    );
  return parsed.data;
}

async function requireKind(env: NodeJS.ProcessEnv): Promise<void> {
  if (!(await findOnPath('kind', env))) throw new UserError(MISSING.kind);
}

/**
 * Sweeps what one run left: its kind cluster, or on an existing cluster (only with `--allow-cluster` naming the
 * context) the objects labelled with its run id. Uses `runs/<id>/run.json` when present; without it, a kind
 * cluster `aus-<id>` is assumed unless `--kubeconfig` says otherwise.
 */
export async function cleanupRun(input: CleanupRunInput): Promise<void> {
  const env = input.env ?? process.env;
  if (!isRunId(input.runId)) {
    throw new UserError(
      `"${input.runId}" is not a run id — pass the id printed by run (e.g. 20260825-101530-a1b2); see ls runs/`,
    );
  }
  const record = await readRecord(input.runId, input.runsRoot);
  const existing = input.kubeconfigPath !== undefined || record?.provider === 'existing';
  if (record?.provider === 'kwok') {
    // Everything of a kwok run lives in its network namespace: stopping what runs there removes the cluster.
    const { destroyNetns, netnsExists } = await import('./kwok/netns.ts');
    const live = await netnsExists(record.clusterName);
    await destroyNetns(record.clusterName);
    input.log(
      live
        ? `stopped kwok cluster ${record.clusterName}`
        : `kwok cluster ${record.clusterName} is already gone`,
    );
    return;
  }
  if (!existing) {
    await requireKind(env);
    const name = record?.clusterName ?? kindClusterName(input.runId);
    // The engine the run used, whatever KIND_EXPERIMENTAL_PROVIDER says now; unrecorded: as the user set it.
    const kind = record?.engine ? kindEnv(record.engine, env) : env;
    const live = await listKindClusters(kind);
    if (!live.includes(name)) {
      input.log(`kind cluster ${name} is already gone`);
      return;
    }
    await deleteKindCluster(name, kind, record ? { kubeconfigPath: record.kubeconfigPath } : {});
    input.log(`deleted kind cluster ${name}`);
    return;
  }
  const kubeconfigPath = input.kubeconfigPath ?? record?.kubeconfigPath;
  if (kubeconfigPath === undefined)
    throw new UserError('no kubeconfig recorded for this run — pass --kubeconfig <file>');
  const resolved = resolveKubeconfig(kubeconfigPath, input.context ?? record?.context);
  assertClusterAllowed(resolved.context, input.allowCluster);
  const runDir = runDirOf(input.runId, input.runsRoot);
  const result = await sweepRunObjects(resolved.kube, input.runId, {
    runDir,
    scope: 'run',
    deadlineMs: CLEANUP_DEADLINE_MS,
    kubeconfigPath: resolved.path,
    context: resolved.context,
    env,
  });
  const lines = describeSweep(result);
  if (lines.length === 0)
    input.log(`nothing recorded for run ${input.runId} in ${runDir} is left on context ${resolved.context}`);
  for (const line of lines) input.log(`${line} (context ${resolved.context})`);
  if (result.leftovers.length > 0) {
    throw new UserError(
      `${result.leftovers.length} object(s) of run ${input.runId} are still there — run the same cleanup again once they finish terminating, or delete them by hand`,
    );
  }
}

/** Deletes every kind cluster named `aus-*`: what crashed or kept runs on this machine left. */
export async function cleanupAllKind(input: {
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<string[]> {
  const env = input.env ?? process.env;
  await requireKind(env);
  const ours = (await listKindClusters(env)).filter((name) => name.startsWith(KIND_CLUSTER_PREFIX));
  if (ours.length === 0) input.log(`no ${KIND_CLUSTER_PREFIX}* kind clusters found`);
  for (const name of ours) {
    await deleteKindCluster(name, env);
    input.log(`deleted kind cluster ${name}`);
  }
  return ours;
}
