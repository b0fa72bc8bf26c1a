import { resetForScenario } from '../clusters/scenario-reset.ts';
import { connect } from '../helpers/k8s/client.ts';
import { meshKube } from '../helpers/mesh/kube-adapter.ts';
import { loadSamples } from '../helpers/mesh/samples.ts';
import { renderPlan } from '../helpers/plan/render.ts';
import type { Plan, ScenarioName } from '../helpers/plan/types.ts';
import { buildProbeBundle } from '../helpers/probes/bundle.ts';
import { parseVersion } from '../helpers/versions/index.ts';
import type { RunConfig } from './run-config.ts';
import type { RunContext } from './runner/context.ts';
import { resolveNodes } from './runner/nodes.ts';

/** Renders the scenario's plan for this run: the same function `plan` uses, fed the run's versions and samples. */
export async function renderScenarioPlan(scenario: ScenarioName, config: RunConfig): Promise<Plan> {
  const samples = await loadSamples(config.from, {
    cacheDir: `${config.cacheDir}/samples`,
    ...(config.manifestsDir ? { manifestsDir: config.manifestsDir } : {}),
  });
  return renderPlan(scenario, {
    from: parseVersion(config.from),
    to: parseVersion(config.to),
    workers: config.workers,
    samples,
    probeBundle: await buildProbeBundle(),
    allowSkew: config.allowSkew,
    timeoutScale: config.timeoutScale,
    runId: config.runId,
  });
}

/** How long the reset between scenarios may take: Sail uninstalls its charts before namespaces can go. */
const RESET_TIMEOUT_MS = 10 * 60_000;

/**
 * Opens a scenario on the run's cluster: the previous scenario's objects are swept (one cluster serves the whole
 * run, each scenario starts from the operator alone), then the plan's symbolic nodes are resolved.
 */
export async function openScenario(config: RunConfig, plan: Plan, signal: AbortSignal): Promise<RunContext> {
  const kube = connect({
    kubeconfigPath: config.kubeconfigPath,
    ...(config.context ? { context: config.context } : {}),
  });
  await resetForScenario(kube, config, RESET_TIMEOUT_MS * config.timeoutScale, signal);
  return {
    kube,
    mesh: meshKube(kube),
    config,
    plan,
    signal,
    nodes: await resolveNodes(kube, plan.workers),
    generations: new Map(),
    snapshots: new Map(),
    background: new Map(),
    drainWindows: [],
    ztunnelPods: new Map(),
    observers: new Map(),
  };
}

/** Stops what a scenario left running in this process (pod observers); background probes in pods go with the sweep. */
export async function closeScenario(ctx: RunContext | undefined): Promise<void> {
  if (!ctx) return;
  for (const stop of ctx.observers.values()) await stop();
  ctx.observers.clear();
}
