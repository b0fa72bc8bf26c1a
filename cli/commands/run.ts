import type { Command } from 'commander';
import {
  DEFAULT_OPERATOR_VERSION,
  DEFAULT_REPORTS_DIR,
  DEFAULT_WORKERS,
  MAX_KIND_WORKERS,
  RUN_SCENARIOS,
  SMOKE_SCENARIO,
} from '../constants.ts';
import type { RawRunFlags } from '../run-options.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Create a kind cluster (or use an existing one), install the mesh, run the upgrade scenarios, report',
    )
    .option(
      '--scenario <name>',
      `scenario to run, repeatable (default: all of ${RUN_SCENARIOS.join(', ')}; \`${SMOKE_SCENARIO}\` only installs the mesh and checks it is healthy)`,
      collect,
      [],
    )
    .option('--from <version>', 'Istio version to upgrade from (e.g. 1.29.6)')
    .option('--to <version>', 'Istio version to upgrade to (e.g. 1.30.3)')
    .option(
      '--provider <name>',
      'kind | existing | kwok (default kind; --kubeconfig implies existing; kwok: real control plane, fake nodes, no data plane)',
    )
    .option('--kubeconfig <file>', 'kubeconfig of an existing cluster (implies --provider existing)')
    .option('--context <name>', 'context of --kubeconfig to use (default: its current-context)')
    .option(
      '--allow-cluster <context>',
      'let the suite modify the existing cluster of this context (required)',
    )
    .option(
      '--k8s-version <version>',
      'Kubernetes version of the kind nodes (needs a recorded digest or --node-image)',
    )
    .option('--node-image <image@sha256:digest>', 'kind node image, pinned by digest')
    .option(
      '--workers <n>',
      `kind worker nodes, 2 to ${MAX_KIND_WORKERS} (default ${DEFAULT_WORKERS}; an existing cluster's are used as they are)`,
    )
    .option(
      '--operator-version <version>',
      `Sail operator Helm chart version (default ${DEFAULT_OPERATOR_VERSION})`,
    )
    .option('--hub <registry>', 'custom operator image registry (pre-release builds; with --tag)')
    .option('--tag <tag>', 'custom operator image tag (with --hub)')
    .option('--keep-cluster', 'keep the cluster (or the run objects) after the run and print how to reach it')
    .option(
      '--registry-mirror',
      'pull docker.io images through a local registry:2 cache (needs Docker; kind only)',
    )
    .option(
      '--pod-stages <fast|delayed>',
      'kwok: pods Ready/gone at once (fast, default) or after seconds (delayed)',
    )
    .option(
      '--operator-chart <dir>',
      'a local Sail operator Helm chart directory instead of the released chart',
    )
    .option('--manifests-dir <dir>', 'local bookinfo/curl manifests instead of downloading them')
    .option('--allow-skew', 'run version pairs outside the documented skew policy')
    .option('--reports-dir <dir>', `where reports go (default ${DEFAULT_REPORTS_DIR})`)
    .option('--timeout-scale <x>', 'multiply every wait timeout (slow machines), e.g. 2')
    .action(async (flags: RawRunFlags) => {
      // Flags are checked (zod only) before the cluster layer, client-node, execa and listr2 are loaded.
      const { parseRunOptions } = await import('../run-options.ts');
      const options = parseRunOptions(flags);
      const { executeRun } = await import('../run-execute.ts');
      process.exitCode = await executeRun(options);
    });
}
