import type { Command } from 'commander';
import { DEFAULT_OPERATOR_VERSION, DEFAULT_WORKERS, RUN_SCENARIOS, SMOKE_SCENARIO } from '../constants.ts';
import type { PlanFlags } from '../plan-action.ts';

export function register(program: Command): void {
  program
    .command('plan')
    .description('Render a scenario into numbered YAML files and plan.json, without a cluster')
    .option(
      '--scenario <name>',
      `one of ${RUN_SCENARIOS.join(', ')}, or ${SMOKE_SCENARIO} (setup and baseline of inplace)`,
    )
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
    .addHelpText(
      'after',
      '\nOffline: with --manifests-dir, --crd and --crds-dir nothing is fetched, so plan works on a machine without\nnetwork. Without them the files are fetched once and kept in .cache/ (later runs work offline).',
    )
    .action(async (flags: PlanFlags) => {
      const { planAction } = await import('../plan-action.ts');
      await planAction(flags);
    });
}
