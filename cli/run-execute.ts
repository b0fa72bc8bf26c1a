// Only modules without the cluster client load up front: a kind run missing its tools must fail at once. The
// providers, facts and the existing-cluster checks (all @kubernetes/client-node) are imported where needed.
import { type HostProbe, kindHostWarnings, systemHost } from '../clusters/kind/host-warnings.ts';
import { chooseNodeImage } from '../clusters/kind/node-images.ts';
import { checkKindPrerequisites } from '../clusters/kind/prerequisites.ts';
import { type RunRecord, runLifecycle } from '../clusters/lifecycle.ts';
import { kindClusterName, newRunId, runDirOf } from '../clusters/run-id.ts';
import { type ClusterProvider, canLoadImages, supportsInstall } from '../clusters/types.ts';
import { isUserError, toError } from '../helpers/errors.ts';
import { EXIT_CODES, VERDICT_MEANING, verdictExitCode } from '../helpers/report/verdict.ts';
import { expectedUpgrade } from '../helpers/versions/kubernetes.ts';
import type { LaunchResult, LaunchSuites } from '../suites/launch-contract.ts';
import { loadLaunchSuites } from './run-handoff.ts';
import type { RunOptions } from './run-options.ts';
import { chooseProgress, type Progress } from './run-progress.ts';
import { versionPairProblems, withVersionProblems } from './run-version-check.ts';

export interface RunDeps {
  readonly env?: NodeJS.ProcessEnv;
  readonly progress?: Progress;
  readonly runId?: string;
  /** Where `runs/<id>/` go; the working directory's `runs` by default. */
  readonly runsRoot?: string;
  readonly loadLaunch?: () => Promise<LaunchSuites>;
  /** The machine kind runs on (inotify limits, kernel modules); the real one by default. */
  readonly host?: HostProbe;
}

interface Prepared {
  readonly provider: ClusterProvider;
  readonly record: Omit<RunRecord, 'startedAt'>;
}

/** Checks prerequisites and builds the provider; nothing is created here. */
async function prepare(
  options: RunOptions,
  runId: string,
  runDir: string,
  deps: RunDeps,
  progress: Progress,
): Promise<Prepared> {
  const env = deps.env ?? process.env;
  const target = options.target;
  if (target.provider === 'kind') {
    // Node image first: a missing digest or an unsupported Kubernetes is a user error no tool is needed for.
    const chosen = chooseNodeImage({
      k8sVersion: target.k8sVersion,
      nodeImage: target.nodeImage,
      ...expectedUpgrade(options),
    });
    const nodeImage = chosen.image;
    const { engine } = await checkKindPrerequisites(env);
    progress.info(chosen.note);
    const nodes = options.workers + 1;
    for (const line of await kindHostWarnings(engine, nodes, deps.host ?? systemHost(env)))
      progress.warn(line);
    const { KindProvider } = await import('../clusters/kind/provider.ts');
    const clusterName = kindClusterName(runId);
    const provider = new KindProvider({
      clusterName,
      runDir,
      workers: options.workers,
      nodeImage,
      registryMirror: target.registryMirror,
      engine,
      env,
      log: (line) => progress.info(line),
      timeoutScale: options.timeoutScale,
    });
    return {
      provider,
      record: { runId, provider: 'kind', clusterName, kubeconfigPath: provider.kubeconfigPath, engine },
    };
  }
  if (target.provider === 'kwok') {
    const { prepareKwok } = await import('./run-kwok.ts');
    const { provider, clusterName } = await prepareKwok({
      runId,
      runDir,
      workers: options.workers,
      podStages: target.podStages,
      operatorChart: options.operatorChart,
      env,
      log: (line) => progress.info(line),
    });
    return {
      provider,
      record: { runId, provider: 'kwok', clusterName, kubeconfigPath: provider.kubeconfigPath },
    };
  }
  const [{ checkExistingPrerequisites }, { describeFacts }, { ExistingProvider }] = await Promise.all([
    import('../clusters/prerequisites.ts'),
    import('../clusters/facts.ts'),
    import('../clusters/existing/provider.ts'),
  ]);
  const { resolved, facts } = await checkExistingPrerequisites(
    { kubeconfigPath: target.kubeconfigPath, context: target.context, allowCluster: target.allowCluster },
    { env },
  );
  progress.info(`cluster: ${describeFacts(facts)}`);
  const provider = new ExistingProvider({
    resolved,
    runId,
    runDir,
    log: (line) => progress.info(line),
    detect: async () => facts,
  });
  return {
    provider,
    record: {
      runId,
      provider: 'existing',
      clusterName: resolved.context,
      kubeconfigPath: resolved.path,
      context: resolved.context,
    },
  };
}

/**
 * `run` after its flags parsed: prerequisites → cluster → suites → cleanup. Returns the exit code; user errors
 * found before anything was created are thrown (exit 2, one line each).
 */
export async function executeRun(options: RunOptions, deps: RunDeps = {}): Promise<number> {
  const progress = deps.progress ?? chooseProgress(deps.env ?? process.env);
  const runId = deps.runId ?? newRunId();
  const runDir = runDirOf(runId, deps.runsRoot);
  const { provider, record } = await withVersionProblems(versionPairProblems(options), () =>
    prepare(options, runId, runDir, deps, progress),
  );
  progress.info(
    `run ${runId}: ${options.scenarios.join(', ')} on ${provider.describe()} (run folder ${runDir})`,
  );
  const outcome = await runLifecycle(
    {
      runId,
      runDir,
      provider,
      record: { ...record, startedAt: new Date().toISOString() },
      keepCluster: options.keepCluster,
      reporter: progress,
      isOk: (value: LaunchResult) => value.verdict === 'certified',
    },
    async ({ handle, signal, cleanup }) => {
      // Loaded once a cluster answers, so a checkout without suites still exercises the whole cluster layer.
      const launch = await (deps.loadLaunch ?? loadLaunchSuites)();
      const loadImages = canLoadImages(provider) ? provider.loadImages.bind(provider) : undefined;
      const install = supportsInstall(provider) ? provider.installSupport() : undefined;
      return launch({
        runId,
        runDir,
        provider: handle.provider,
        capabilities: [...provider.capabilities],
        kubeconfigPath: handle.kubeconfigPath,
        ...(handle.context !== undefined ? { context: handle.context } : {}),
        facts: handle.facts,
        scenarios: options.scenarios,
        ...(options.from !== undefined ? { from: options.from } : {}),
        ...(options.to !== undefined ? { to: options.to } : {}),
        workers: options.workers,
        operatorVersion: options.operatorVersion,
        ...(options.hub !== undefined ? { hub: options.hub } : {}),
        ...(options.tag !== undefined ? { tag: options.tag } : {}),
        ...(options.manifestsDir !== undefined ? { manifestsDir: options.manifestsDir } : {}),
        allowSkew: options.allowSkew,
        reportsDir: options.reportsDir,
        timeoutScale: options.timeoutScale,
        signal,
        ...(loadImages ? { loadImages } : {}),
        ...(install ? { install } : {}),
        ...(options.operatorChart !== undefined ? { operatorChart: options.operatorChart } : {}),
        onCleanup: (what, undo) => cleanup.push(what, undo),
      });
    },
  );
  if (outcome.kind === 'stopped') {
    progress.warn(`run ${runId} stopped by ${outcome.signal}`);
    return outcome.exitCode;
  }
  if (outcome.kind === 'failed') {
    // A user error met after the cluster came up (bad manifests dir, …) keeps its one line and exit 2.
    if (isUserError(outcome.error)) throw outcome.error;
    const error = toError(outcome.error);
    progress.warn(`run ${runId} failed: ${error.message}`);
    return EXIT_CODES['not certified'];
  }
  // Exit codes (helpers/report/verdict.ts): 0 certified, 1 not certified, 3 incomplete, 4 control plane only;
  // 2 is a user error (thrown as UserError), 130/143 a signal.
  const { verdict } = outcome.value;
  const line = `run ${runId}: ${verdict} — ${VERDICT_MEANING[verdict]} — reports in ${options.reportsDir}`;
  if (verdict !== 'certified') {
    progress.warn(line);
    return verdictExitCode(verdict);
  }
  if (outcome.cleanupFailed) return EXIT_CODES['not certified'];
  progress.info(line);
  return verdictExitCode(verdict);
}
