import { numberArg, optionalString, parseCommand, parseProbeArgs, requireString } from './args.ts';
import { startEchoServer } from './echo-server.ts';
import { type ProbeIo, processIo } from './io.ts';

export const ECHO_SERVER_HELP = `Usage: probe echo-server --port P [--host H]

A TCP echo server (every byte comes back, so every line does) for probe connections. Prints one JSON line
{"listening":"H:P"} once it accepts connections; runs until SIGTERM/SIGINT, then exits 0.

Options:
  --port P     port to listen on (0 picks a free one, printed in the listening line)
  --host H     address to bind (default 0.0.0.0)
  -h, --help   show this help

Exit: 0 after a signal, 1 if it cannot listen, 2 bad arguments.
`;

function parseEchoServerArgs(argv: readonly string[]): { host: string; port: number } | 'help' {
  const values = parseProbeArgs(argv, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help === true) return 'help';
  const port = numberArg('port', requireString(values, 'port'), { min: 0, max: 65535, integer: true });
  const host = optionalString(values, 'host') ?? '0.0.0.0';
  return { host, port };
}

export async function echoServerMain(argv: readonly string[], io: ProbeIo = processIo): Promise<number> {
  const args = parseCommand('echo-server', argv, parseEchoServerArgs, ECHO_SERVER_HELP, io);
  if (typeof args === 'number') return args;
  const { host, port } = args;
  let onSignal = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
  });
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const server = await startEchoServer({ host, port }).catch((error: unknown) => {
      io.stderr(
        `probe echo-server: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return undefined;
    });
    if (server === undefined) return 1;
    const shown = host.includes(':') ? `[${host}]:${server.port}` : `${host}:${server.port}`;
    io.stdout(`${JSON.stringify({ listening: shown })}\n`);
    await stopped;
    await server.close();
    return 0;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}
