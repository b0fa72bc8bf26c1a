import { parseArgs } from 'node:util';
import type { ProbeIo } from './io.ts';

/**
 * A bad command line. Subcommands print its message as one line on stderr and exit 2; it never escapes `main`.
 */
export class ArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgError';
  }
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * `node:util` parseArgs in strict mode (unknown options and positionals are errors), with its TypeError turned
 * into an `ArgError` whose message is one line. `help` is always accepted.
 */
export function parseProbeArgs(
  argv: readonly string[],
  options: OptionSpec,
): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    // parseArgs types its result from a literal config; ours is a parameter, so it is read by name.
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ArgError(message.split('\n')[0] ?? message);
  }
}

export function requireString(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new ArgError(`--${name} is required`);
  return value;
}

export function optionalString(
  values: Record<string, string | boolean | undefined>,
  name: string,
): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A decimal number within [min, max]; `integer` rejects fractions. Rejects '', '1e3x', 'NaN' and friends. */
export function numberArg(
  name: string,
  raw: string,
  { min, max = Number.MAX_SAFE_INTEGER, integer = false }: { min: number; max?: number; integer?: boolean },
): number {
  const value = /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const kind = integer ? 'an integer' : 'a number';
    throw new ArgError(`--${name} must be ${kind} in [${min}, ${max}], got '${raw}'`);
  }
  return value;
}

/** `HOST:PORT` or `[IPv6]:PORT`. */
export function targetArg(name: string, raw: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]+)$/.exec(raw);
  const host = match?.[1] ?? match?.[2];
  const portText = match?.[3];
  if (host === undefined || portText === undefined) {
    throw new ArgError(`--${name} must be HOST:PORT (or [IPv6]:PORT), got '${raw}'`);
  }
  return { host, port: numberArg(name, portText, { min: 1, max: 65535, integer: true }) };
}

/** An absolute URL whose protocol is one of `protocols` (e.g. `['http:', 'https:']`). */
export function urlArg(name: string, raw: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ArgError(`--${name} is not a URL: '${raw}'`);
  }
  if (!protocols.includes(url.protocol)) {
    const allowed = protocols.map((protocol) => `${protocol}//`).join(' or ');
    throw new ArgError(`--${name} must be ${allowed} (got '${url.protocol}')`);
  }
  return url;
}

/**
 * The prelude every subcommand shares: runs `parse`; on an `ArgError` prints
 * `probe NAME: MESSAGE (see probe NAME --help)` and returns exit code 2; on `'help'` prints `help` and returns 0.
 * Otherwise returns the parsed arguments for the subcommand to run with.
 */
export function parseCommand<T extends object>(
  name: string,
  argv: readonly string[],
  parse: (argv: readonly string[]) => T | 'help',
  help: string,
  io: ProbeIo,
): T | number {
  let args: T | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof ArgError)) throw error;
    io.stderr(`probe ${name}: ${error.message} (see probe ${name} --help)\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(help);
    return 0;
  }
  return args;
}
