import { authzMain } from './authz-cli.ts';
import { connectionsMain } from './connections-cli.ts';
import { echoServerMain } from './echo-server-cli.ts';
import { type ProbeIo, processIo } from './io.ts';
import { trafficMain } from './traffic-cli.ts';
import { weightsMain } from './weights-cli.ts';

// The probe program: the same code runs on a laptop (`ambient-upgrade probe …`) and in a pod
// (`node /probe/probe.mjs …`). It imports node builtins and zod only, never a cluster client, so it bundles small.

type Subcommand = (argv: string[], io: ProbeIo) => Promise<number>;

export const SUBCOMMANDS: Record<string, { summary: string; run: Subcommand }> = {
  weights: {
    summary: 'sequential test of traffic weights across backends',
    run: weightsMain,
  },
  authz: {
    summary: 'one request on a new connection: allow, deny (403 RBAC or reset) or error',
    run: authzMain,
  },
  connections: {
    summary: 'hold long-lived connections and open new ones; write their timeline as JSON',
    run: connectionsMain,
  },
  traffic: {
    summary: 'steady-rate GETs, each on a new connection; write outcomes as JSON on finish or SIGTERM',
    run: (argv, io) => trafficMain(argv, io),
  },
  'echo-server': { summary: 'a TCP line echo server for connections', run: echoServerMain },
};

export function probeHelp(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length));
  const lines = Object.entries(SUBCOMMANDS).map(
    ([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`,
  );
  return [
    'Usage: probe <subcommand> [options]',
    '',
    'Probes that run inside cluster pods (node /probe/probe.mjs …) or locally (ambient-upgrade probe …).',
    '',
    'Subcommands:',
    ...lines,
    '',
    'Run probe <subcommand> --help for its options, output and exit codes.',
    '',
  ].join('\n');
}

/** Dispatches to a subcommand. Bad arguments: one line on stderr, exit 2. */
export async function main(argv: readonly string[], io: ProbeIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      io.stderr('probe: missing subcommand — run probe --help\n');
      return 2;
    }
    io.stdout(probeHelp());
    return 0;
  }
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (subcommand === undefined) {
    io.stderr(
      `probe: unknown subcommand '${name}' — expected one of ${Object.keys(SUBCOMMANDS).join(', ')}\n`,
    );
    return 2;
  }
  return subcommand.run(rest, io);
}
