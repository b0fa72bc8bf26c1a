import type { Command } from 'commander';
import { UserError } from '../../helpers/errors.ts';

interface CleanupFlags {
  run?: string;
  all?: boolean;
  kubeconfig?: string;
  context?: string;
  allowCluster?: string;
}

export function register(program: Command): void {
  program
    .command('cleanup')
    .description(
      'Remove what a crashed or kept run left: its kind cluster, or its labelled objects on an existing cluster',
    )
    .option('--run <id>', 'the run id printed by `run` (see runs/)')
    .option('--all', 'delete every aus-* kind cluster on this machine')
    .option(
      '--kubeconfig <file>',
      'existing cluster the run used (default: the one recorded in runs/<id>/run.json)',
    )
    .option('--context <name>', 'context of that kubeconfig (default: the recorded one)')
    .option(
      '--allow-cluster <context>',
      'required to delete objects on an existing cluster; must name the context',
    )
    .action(async (flags: CleanupFlags) => {
      const log = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      // Flags are checked first; clusters/cleanup-run.ts (client-node, execa) loads only once they pass.
      if ((flags.run === undefined) === (flags.all !== true)) {
        throw new UserError(
          'cleanup needs exactly one of --run <id> or --all — pass the run id printed by run, or --all',
        );
      }
      if (flags.all) {
        if (
          flags.kubeconfig !== undefined ||
          flags.context !== undefined ||
          flags.allowCluster !== undefined
        ) {
          throw new UserError(
            '--all sweeps kind clusters only — use --run <id> --kubeconfig … for an existing cluster',
          );
        }
        const { cleanupAllKind } = await import('../../clusters/cleanup-run.ts');
        await cleanupAllKind({ log });
        return;
      }
      const { cleanupRun } = await import('../../clusters/cleanup-run.ts');
      await cleanupRun({
        runId: flags.run ?? '',
        ...(flags.kubeconfig !== undefined ? { kubeconfigPath: flags.kubeconfig } : {}),
        ...(flags.context !== undefined ? { context: flags.context } : {}),
        ...(flags.allowCluster !== undefined ? { allowCluster: flags.allowCluster } : {}),
        log,
      });
    });
}
