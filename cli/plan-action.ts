// `plan` implementation, loaded when the command runs. Static imports are only what the cheap checks need (scenario
// names, version parsing, skew policy); yaml, zod, ajv, esbuild and the fetch client load after they pass.
import { resolve } from 'node:path';
import { UserError } from '../helpers/errors.ts';
import type { KubeObject } from '../helpers/k8s/types.ts';
import { prepareOutDir, removeCreatedDirs } from '../helpers/out-dir.ts';
import { findScenario, SCENARIO_NAMES } from '../helpers/plan/scenarios/index.ts';
import type { Plan } from '../helpers/plan/types.ts';
import { checkUpgrade } from '../helpers/versions/skew.ts';
import { parseVersion, type Version } from '../helpers/versions/version.ts';
import type { ScenarioSubset } from '../suites/scenario-suite.ts';
import { SMOKE_SUBSET } from '../suites/smoke-subset.ts';
import { DEFAULT_OPERATOR_VERSION, SMOKE_SCENARIO } from './constants.ts';

export interface PlanFlags {
  scenario?: string;
  from?: string;
  to?: string;
  out?: string;
  workers: string;
  manifestsDir?: string;
  crd?: string;
  crdsDir?: string;
  operatorVersion?: string;
  cacheDir?: string;
  allowSkew?: boolean;
}

function required(value: string | undefined, flag: string, example: string): string {
  if (value === undefined || value === '')
    throw new UserError(`${flag} is required — e.g. ${flag} ${example}`);
  return value;
}

function parseWorkers(raw: string): number {
  const workers = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(workers) || workers < 1 || workers > 100) {
    throw new UserError(`--workers ${raw} is not a node count — pass a whole number such as --workers 2`);
  }
  return workers;
}

const note = (text: string): void => {
  process.stderr.write(`note: ${text}\n`);
};

/** Checks --from/--to against the CRD enum; without a reachable CRD it says so and goes on. */
async function checkInstallable(flags: PlanFlags, from: Version, to: Version): Promise<void> {
  try {
    const { assertInstallable } = await import('../helpers/versions/supported.ts');
    const { resolveSupportedVersions } = await import('./versions-action.ts');
    const { supported } = await resolveSupportedVersions(flags);
    assertInstallable(supported, from, '--from');
    assertInstallable(supported, to, '--to');
  } catch (error) {
    if (flags.crd !== undefined || !(error instanceof UserError) || !error.message.startsWith('cannot fetch'))
      throw error;
    note(
      `versions not checked against the Sail ${flags.operatorVersion ?? DEFAULT_OPERATOR_VERSION} CRD enum (offline, no cached copy) — pass --crd <file> to check offline`,
    );
  }
}

/** Validates objects against the CRD schemas: --crds-dir offline, else the fetch cache; unavailable → a note. */
async function validateObjects(flags: PlanFlags, plan: Plan): Promise<string> {
  // Loaded on use: a mistyped flag should fail before ajv, esbuild and the fetch client are even imported.
  const { loadCrds } = await import('../helpers/mesh/crds.ts');
  const { GATEWAY_API_VERSION } = await import('../helpers/mesh/install.ts');
  const { loadUpstreamCrds } = await import('../helpers/schema/load-upstream-crds.ts');
  const { createSchemaValidator } = await import('../helpers/schema/validator.ts');
  const { validatePlanObjects } = await import('../helpers/plan/validate.ts');
  let crds: KubeObject[];
  try {
    crds =
      flags.crdsDir !== undefined
        ? await loadUpstreamCrds(flags.crdsDir)
        : await loadCrds({
            operatorVersion: flags.operatorVersion ?? DEFAULT_OPERATOR_VERSION,
            gatewayApiVersion: GATEWAY_API_VERSION,
            ...(flags.cacheDir === undefined ? {} : { cacheDir: flags.cacheDir }),
          });
  } catch (error) {
    if (flags.crdsDir !== undefined || !(error instanceof UserError)) throw error;
    note(
      'objects not validated against CRD schemas (offline, no cached CRDs) — pass --crds-dir <folder like ../shared/upstream>',
    );
    return 'not validated (no CRDs)';
  }
  const problems = validatePlanObjects(plan, createSchemaValidator(crds));
  const first = problems[0];
  if (first) {
    throw new UserError(
      `${problems.length} object(s) fail schema validation, first: ${first.object} in step ${first.step}: ${first.errors[0] ?? 'invalid'} — fix the builder or the CRD version`,
    );
  }
  return 'all objects valid against the CRD schemas';
}

/** `ambient-upgrade plan`: cheap checks first, so a typo fails at once, before samples, bundle or CRDs are read. */
export async function planAction(flags: PlanFlags): Promise<void> {
  const scenarioName = required(flags.scenario, '--scenario', 'inplace');
  // `smoke` is a phase subset of another scenario's plan, exactly as `run --scenario smoke` runs it.
  const subset = scenarioName === SMOKE_SCENARIO ? SMOKE_SUBSET : undefined;
  const scenario = findScenario(subset?.plan ?? scenarioName);
  if (!scenario)
    throw new UserError(
      `unknown scenario "${scenarioName}" — use one of: ${[...SCENARIO_NAMES, SMOKE_SCENARIO].join(', ')}`,
    );
  const from = parseVersion(required(flags.from, '--from', '1.29.6'));
  const to = parseVersion(required(flags.to, '--to', '1.30.3'));
  const out = required(flags.out, '--out', 'plans/inplace');
  const workers = parseWorkers(flags.workers);
  const allowSkew = flags.allowSkew === true;
  const policy = checkUpgrade({ from, to, strategy: scenario.strategy });
  if (!policy.ok && !allowSkew) throw new UserError(`${scenario.name}: ${policy.reason}`);
  await checkInstallable(flags, from, to);
  // Before samples, bundle and CRDs: an unwritable --out fails at once with the kernel's reason.
  const created = await prepareOutDir(out, '--out');
  try {
    await renderAndWrite(flags, { scenario: scenario.name, subset, from, to, workers, allowSkew, out });
  } catch (error) {
    await removeCreatedDirs(created);
    throw error;
  }
}

interface PlanRequest {
  scenario: string;
  subset: ScenarioSubset | undefined;
  from: Version;
  to: Version;
  workers: number;
  allowSkew: boolean;
  out: string;
}

async function renderAndWrite(
  flags: PlanFlags,
  { scenario, subset, from, to, workers, allowSkew, out }: PlanRequest,
): Promise<void> {
  const { planCounts, renderPlan, writePlan } = await import('../helpers/plan/index.ts');
  const { describePlanNeeds } = await import('../helpers/plan/needs.ts');
  const { loadSamples } = await import('../helpers/mesh/samples.ts');
  const { buildProbeBundle } = await import('../helpers/probes/bundle.ts');
  const samples = await loadSamples(flags.from ?? '', {
    ...(flags.manifestsDir === undefined ? {} : { manifestsDir: flags.manifestsDir }),
  });
  const probeBundle = await buildProbeBundle();
  const full = renderPlan(scenario, { from, to, workers, samples, probeBundle, allowSkew });
  const plan = subset
    ? { ...full, steps: full.steps.filter((step) => subset.phases.includes(step.phase)) }
    : full;
  const validation = await validateObjects(flags, plan);
  const files = await writePlan(plan, out);

  const counts = planCounts(plan);
  const actions = Object.entries(counts.byAction)
    .map(([action, count]) => `${count} ${action}`)
    .join(', ');
  const lines = [
    subset
      ? `plan ${SMOKE_SCENARIO} (${subset.phases.join(' and ')} of ${plan.scenario}): ${plan.from}, ${plan.workers} workers`
      : `plan ${plan.scenario}: ${plan.from} → ${plan.to} (${plan.strategy}, ${plan.workers} workers)`,
    `  ${counts.steps} steps (${actions}); ${counts.objects} objects in ${counts.applies} files`,
    `  ${validation}`,
    `  ${describePlanNeeds(plan.steps)}`,
    ...plan.skewFindings.map((finding) => `  skew (allowed by --allow-skew): ${finding}`),
    `  wrote ${files.length} files to ${resolve(out)} (plan.json last)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
