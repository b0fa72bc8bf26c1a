import type { Command } from 'commander';

const describeProbe = (subcommands: readonly string[] | undefined): string =>
  subcommands === undefined
    ? 'run a probe locally; probe --help for details'
    : `run a probe locally (${subcommands.join(', ')}); probe --help for details`;

/**
 * `ambient-upgrade probe <subcommand> …` runs the same probe program the pods run. Commander does no parsing
 * here: help and unknown options pass through, so `probe --help` and `probe authz --help` are the probe's own.
 * The probe program (and zod) loads only when the command runs, or for the program's help (see `describeProbes`).
 */
export function register(program: Command): void {
  program
    .command('probe')
    .description(describeProbe(undefined))
    .usage('<subcommand> [options]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'subcommand and its options')
    .action(async (args: string[]) => {
      const { main: probeMain } = await import('../../helpers/probes/cli.ts');
      process.exitCode = await probeMain(args);
    });
}

/** Names the probe subcommands in the `probe` description; main awaits this before it can print program help. */
export async function describeProbes(program: Command): Promise<void> {
  const probe = program.commands.find((command) => command.name() === 'probe');
  if (probe === undefined) return;
  const { SUBCOMMANDS } = await import('../../helpers/probes/cli.ts');
  probe.description(describeProbe(Object.keys(SUBCOMMANDS)));
}
