import type { Command } from 'commander';
import { main as probeMain, SUBCOMMANDS } from '../../helpers/probes/cli.ts';

/**
 * `ambient-upgrade probe <subcommand> …` runs the same probe program the pods run. Commander does no parsing
 * here: help and unknown options pass through, so `probe --help` and `probe authz --help` are the probe's own.
 */
export function register(program: Command): void {
  program
    .command('probe')
    .description(`run a probe locally (${Object.keys(SUBCOMMANDS).join(', ')}); probe --help for details`)
    .usage('<subcommand> [options]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'subcommand and its options')
    .action(async (args: string[]) => {
      process.exitCode = await probeMain(args);
    });
}
