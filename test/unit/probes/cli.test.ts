import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../../cli/commands/probe.ts';
import { main, SUBCOMMANDS } from '../../../helpers/probes/cli.ts';
import { captureIo } from './tcp-fixtures.ts';

describe('probe main', () => {
  it('lists every subcommand on --help and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const name of ['weights', 'authz', 'connections', 'echo-server']) {
      expect(io.out.join('')).toContain(`  ${name}`);
    }
  });

  it.each(Object.keys(SUBCOMMANDS))('%s --help prints its usage and exits 0', async (name) => {
    const io = captureIo();
    expect(await main([name, '--help'], io)).toBe(0);
    expect(io.out.join('')).toMatch(new RegExp(`^Usage: probe ${name} `));
    expect(io.err).toEqual([]);
  });

  it.each([
    [[], /missing subcommand/],
    [['nope'], /unknown subcommand 'nope'/],
    [['toString'], /unknown subcommand 'toString'/],
    [['authz', '--url', 'http://127.0.4.1:24999/'], /--expect is required/],
    [['authz', '--url', 'http://x/', '--expect', 'maybe'], /--expect must be allow or deny/],
    [['authz', '--url', 'https://x/', '--expect', 'deny'], /must be http/],
    [['authz', '--url', 'http://x/', '--expect', 'deny', '--timeout', '5s'], /--timeout must be an integer/],
    [['authz', '--bogus'], /Unknown option '--bogus'/],
    [
      ['authz', '--url', 'http://x/', '--expect', 'deny', '--deny-by', 'envoy'],
      /--deny-by must be waypoint or ztunnel/,
    ],
    [['connections', '--target', 'localhost', '--count', '1', '--duration', '1', '--out', 'f'], /HOST:PORT/],
    [['connections', '--target', 'h:1', '--count', '-1', '--duration', '1', '--out', 'f'], /--count/],
    [['connections', '--target', 'h:1', '--count', '1', '--duration', '1'], /--out is required/],
    [['echo-server'], /--port is required/],
    [['echo-server', '--port', '70000'], /--port must be an integer in \[0, 65535\]/],
    [['echo-server', '--port', '1', 'extra'], /Unexpected argument 'extra'/],
  ])('%j: one line on stderr, exit 2', async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
    expect(io.err[0]?.trimEnd()).not.toContain('\n');
  });
});

describe('ambient-upgrade probe (commander)', () => {
  const program = (): Command => {
    const p = new Command('ambient-upgrade').exitOverride();
    register(p);
    return p;
  };
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('passes --help through to the probe program, which lists subcommands', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await program().parseAsync(['probe', '--help'], { from: 'user' });
    expect(process.exitCode).toBe(0);
    expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/Subcommands:[\s\S]*echo-server/);
  });

  it('passes subcommand options through unchanged and keeps the probe exit code', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await program().parseAsync(['probe', 'authz', '--url', 'http://x/', '--expect', 'nope'], {
      from: 'user',
    });
    expect(process.exitCode).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /probe authz: --expect must be allow or deny/,
    );
  });

  it('shows the probe command in the program help', () => {
    expect(program().helpInformation()).toMatch(/probe .*run a probe locally/);
  });
});
