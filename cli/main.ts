import { Command, CommanderError } from 'commander';
import { isUserError, toError } from '../helpers/errors.ts';
import { commands } from './commands/index.ts';

/** Builds the `ambient-upgrade` program; exported so tests can drive it without a subprocess. */
export function buildProgram(): Command {
  const program = new Command('ambient-upgrade')
    .description('Certify upgrades of Istio ambient mode managed by the Sail operator')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help or the parse error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(error)) {
      process.stderr.write(`ambient-upgrade: ${error.message}\n`);
      return error.exitCode;
    }
    const err = toError(error);
    process.stderr.write(`ambient-upgrade: unexpected error: ${err.stack ?? err.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
