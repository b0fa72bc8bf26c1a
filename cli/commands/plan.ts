import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../helpers/errors.ts';
import type { KubeObject } from '../../helpers/k8s/types.ts';
import {
  findScenario,
  planCounts,
  renderPlan,
  SCENARIO_NAMES,
  validatePlanObjects,
  writePlan,
} from '../../helpers/plan/index.ts';
import { assertInstallable, checkUpgrade, parseVersion, type Version } from '../../helpers/versions/index.ts';
import { DEFAULT_OPERATOR_VERSION, DEFAULT_WORKERS } from '../run-options.ts';
import { resolveSupportedVersions } from './versions.ts';

interface PlanFlags {
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
async function validateObjects(
  flags: PlanFlags,
  plan: Parameters<typeof validatePlanObjects>[0],
): Promise<string> {
  // Loaded on use: a mistyped flag should fail before ajv, esbuild and the fetch client are even imported.
  const { loadCrds } = await import('../../helpers/mesh/crds.ts');
  const { GATEWAY_API_VERSION } = await import('../../helpers/mesh/install.ts');
  const { loadUpstreamCrds } = await import('../../helpers/schema/load-upstream-crds.ts');
  const { createSchemaValidator } = await import('../../helpers/schema/validator.ts');
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

export function register(program: Command): void {
  program
    .command('plan')
    .description('Render a scenario into numbered YAML files and plan.json, without a cluster')
    .option('--scenario <name>', `one of ${SCENARIO_NAMES.join(', ')}`)
    .option('--from <version>', 'Istio version to upgrade from, e.g. 1.29.6')
    .option('--to <version>', 'Istio version to upgrade to, e.g. 1.30.3')
    .option('--out <dir>', 'folder to write the plan to')
    .option('--workers <n>', 'worker nodes the plan assumes', String(DEFAULT_WORKERS))
    .option(
      '--manifests-dir <dir>',
      "bookinfo/curl manifests laid out like istio's samples/ (else fetched and cached)",
    )
    .option('--crd <file>', 'istios.sailoperator.io CRD to check versions against (offline)')
    .option('--crds-dir <dir>', 'CRDs laid out like ../shared/upstream, to validate every object (offline)')
    .option(
      '--operator-version <version>',
      `Sail operator release whose CRDs to fetch otherwise (default ${DEFAULT_OPERATOR_VERSION})`,
    )
    .option('--cache-dir <dir>', 'cache for fetched CRDs (default .cache/crds)')
    .option(
      '--allow-skew',
      'render version pairs outside the skew policy (bug repros); findings go to plan.json',
    )
    .action(async (flags: PlanFlags) => {
      // Cheap checks first, so a typo fails at once, before samples, bundle or CRDs are read.
      const scenarioName = required(flags.scenario, '--scenario', 'inplace');
      const scenario = findScenario(scenarioName);
      if (!scenario)
        throw new UserError(`unknown scenario "${scenarioName}" — use one of: ${SCENARIO_NAMES.join(', ')}`);
      const from = parseVersion(required(flags.from, '--from', '1.29.6'));
      const to = parseVersion(required(flags.to, '--to', '1.30.3'));
      const out = required(flags.out, '--out', 'plans/inplace');
      const workers = parseWorkers(flags.workers);
      const allowSkew = flags.allowSkew === true;
      const policy = checkUpgrade({ from, to, strategy: scenario.strategy });
      if (!policy.ok && !allowSkew) throw new UserError(`${scenario.name}: ${policy.reason}`);
      await checkInstallable(flags, from, to);

      const { loadSamples } = await import('../../helpers/mesh/samples.ts');
      const { buildProbeBundle } = await import('../../helpers/probes/bundle.ts');
      const samples = await loadSamples(flags.from ?? '', {
        ...(flags.manifestsDir === undefined ? {} : { manifestsDir: flags.manifestsDir }),
      });
      const probeBundle = await buildProbeBundle();
      const plan = renderPlan(scenario.name, { from, to, workers, samples, probeBundle, allowSkew });
      const validation = await validateObjects(flags, plan);
      const files = await writePlan(plan, out);

      const counts = planCounts(plan);
      const actions = Object.entries(counts.byAction)
        .map(([action, count]) => `${count} ${action}`)
        .join(', ');
      const lines = [
        `plan ${plan.scenario}: ${plan.from} → ${plan.to} (${plan.strategy}, ${plan.workers} workers)`,
        `  ${counts.steps} steps (${actions}); ${counts.objects} objects in ${counts.applies} files`,
        `  ${validation}`,
        ...plan.skewFindings.map((finding) => `  skew (allowed by --allow-skew): ${finding}`),
        `  wrote ${files.length} files to ${resolve(out)} (plan.json last)`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
