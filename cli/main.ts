import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isUserError, toError } from '../helpers/errors.ts';
import { commands, completeProgramHelp } from './commands/index.ts';

/** The version in package.json, read at start-up (a few hundred bytes; no import of JSON modules needed). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

/** Builds the `ambient-upgrade` program; exported so tests can drive it without a subprocess. */
export function buildProgram(): Command {
  const program = new Command('ambient-upgrade')
    .description('Certify upgrades of Istio ambient mode managed by the Sail operator')
    .version(packageVersion(), '-V, --version', 'print the version of ambient-upgrade')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * True unless argv starts with a command name: only then can commander print the program's help (`--help`,
 * `help [command]`, no command, an unknown command), which lists every command's description.
 */
function mayPrintProgramHelp(program: Command, argv: readonly string[]): boolean {
  const first = argv[0];
  if (first === undefined || first === 'help') return true;
  return !program.commands.some((command) => command.name() === first || command.aliases().includes(first));
}

/** Builds the program with complete help; what `main` runs. */
export async function buildProgramForArgs(argv: readonly string[]): Promise<Command> {
  const program = buildProgram();
  if (mayPrintProgramHelp(program, argv)) await completeProgramHelp(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgramForArgs(argv);
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
