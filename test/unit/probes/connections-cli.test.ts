import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionsMain, parseConnectionsArgs } from '../../../helpers/probes/connections-cli.ts';
import { type EchoServer, startEchoServer } from '../../../helpers/probes/echo-server.ts';
import { ConnectionsReport } from '../../../helpers/probes/verdicts.ts';
import { captureIo, HOST } from './tcp-fixtures.ts';

describe('parseConnectionsArgs', () => {
  it('reads every option, with seconds turned into ms', () => {
    expect(
      parseConnectionsArgs([
        '--target',
        '[::1]:8080',
        '--count',
        '10',
        '--duration',
        '2.5',
        '--interval',
        '250',
        '--echo-timeout',
        '2000',
        '--new-per-second',
        '0.5',
        '--planned-life',
        '1.5',
        '--out',
        '/tmp/x.json',
      ]),
    ).toEqual({
      host: '::1',
      port: 8080,
      count: 10,
      durationMs: 2500,
      intervalMs: 250,
      echoTimeoutMs: 2000,
      newPerSecond: 0.5,
      plannedLifeMs: 1500,
      out: '/tmp/x.json',
    });
  });

  it('has documented defaults', () => {
    expect(
      parseConnectionsArgs(['--target', 'h:1', '--count', '1', '--duration', '1', '--out', 'f']),
    ).toMatchObject({ intervalMs: 1000, echoTimeoutMs: 3000, newPerSecond: 1, plannedLifeMs: null });
  });

  it('takes the echo timeout independently of the interval and rejects a bad one', () => {
    const base = ['--target', 'h:1', '--count', '1', '--duration', '1', '--out', 'f'];
    expect(parseConnectionsArgs([...base, '--interval', '5000'])).toMatchObject({
      intervalMs: 5000,
      echoTimeoutMs: 3000,
    });
    expect(() => parseConnectionsArgs([...base, '--echo-timeout', '3s'])).toThrow(
      /--echo-timeout must be an integer/,
    );
    expect(() => parseConnectionsArgs([...base, '--echo-timeout', '5'])).toThrow(/--echo-timeout/);
  });
});

describe('connectionsMain', () => {
  let dir = '';
  let echo: EchoServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aus-probe-conn-'));
    echo = await startEchoServer({ host: HOST, port: 0 });
  });
  afterAll(async () => {
    await echo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a report the suite can parse and prints a one-line summary', async () => {
    const out = join(dir, 'report.json');
    const io = captureIo();
    const argv = [
      '--target',
      `${HOST}:${echo.port}`,
      '--count',
      '2',
      '--duration',
      '0.5',
      '--interval',
      '100',
    ];
    expect(await connectionsMain([...argv, '--out', out], io)).toBe(0);
    const report = ConnectionsReport.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report.long.map((c) => c.outcome)).toEqual(['open', 'open']);
    expect(JSON.parse(io.out.join(''))).toMatchObject({ out, long: { open: 2 }, stoppedBy: 'duration' });
  });

  it('exits 1 with one line when the report cannot be written, before opening any connection', async () => {
    const accepted: number[] = [];
    const server = createServer((socket) => {
      accepted.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const io = captureIo();
      const out = join(dir, 'missing-dir', 'report.json');
      const argv = ['--target', `${HOST}:${port}`, '--count', '2', '--duration', '30', '--out', out];
      expect(await connectionsMain(argv, io)).toBe(1);
      expect(io.err.join('')).toMatch(/cannot write .*missing-dir.*give --out a writable path/);
      expect(io.err.join('').trim().split('\n')).toHaveLength(1);
      expect(accepted).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
