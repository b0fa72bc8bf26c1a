import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TrafficOutcome, TrafficReport } from '../../../helpers/probes/traffic.ts';
import { trafficMain } from '../../../helpers/probes/traffic-cli.ts';
import { captureIo } from '../../unit/probes/tcp-fixtures.ts';
import { listening, pollUntil, type RunningProcess, startListening, startProcess } from './procs.ts';

// Real nginx on 127.0.5.40 is the app behind a ztunnel. Killing and restarting it is the outage; the probe's
// failures must sit inside the outage the test caused, with the reason it caused. Loopback only:
// 127.0.5.0/24, ports 25000–25999.
const HOST = '127.0.5.40';
const PORT = 25040;
const URL_ = `http://${HOST}:${PORT}/`;
const RATE = 20;
// A request started just before the kill can still be cut by it; the probe's timers may lag a busy machine.
const TOLERANCE_MS = 300;
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

const nginxConf = (dir: string): string => `
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${HOST}:${PORT};
    default_type text/plain;
    location / { return 200 "hello from the app\\n"; }
  }
}
`;

let dir = '';
let nginx: RunningProcess | undefined;
const others: RunningProcess[] = [];

function startNginx(): Promise<RunningProcess> {
  return startListening(
    'nginx',
    'nginx',
    ['-e', join(dir, 'nginx-error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    [{ host: HOST, port: PORT }],
  );
}

/** Requests nginx has logged so far (written per request, unbuffered). */
async function served(): Promise<number> {
  const log = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((line) => line.trim() !== '').length;
}

function args(out: string, durationS: number, extra: string[] = []): string[] {
  return [
    '--url',
    URL_,
    '--per-second',
    String(RATE),
    '--duration',
    String(durationS),
    '--out',
    out,
    ...extra,
  ];
}

async function readReport(out: string): Promise<TrafficReport> {
  return TrafficReport.parse(JSON.parse(await readFile(out, 'utf8')));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-probe-traffic-'));
  await writeFile(join(dir, 'nginx.conf'), nginxConf(dir));
  nginx = await startNginx();
});
afterEach(async () => {
  for (const proc of others.splice(0).reverse()) await proc.stop();
});
afterAll(async () => {
  await nginx?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('probe traffic against real nginx', () => {
  it('sends rate × duration requests, each served, none failed', async () => {
    const out = join(dir, 'steady.json');
    const before = await served();
    const io = captureIo();
    expect(await trafficMain(args(out, 3), io)).toBe(0);
    const report = await readReport(out);
    expect(report).toMatchObject({ url: URL_, stoppedBy: 'duration', failed: 0, failures: [] });
    expect(Math.abs(report.attempted - RATE * 3)).toBeLessThanOrEqual(2);
    expect(report.succeeded).toBe(report.attempted);
    // Spread over the run on the 50 ms grid, not sent in a burst.
    expect((report.lastSucceeded ?? 0) - (report.firstSucceeded ?? 0)).toBeGreaterThanOrEqual(
      3000 - 1000 / RATE - TOLERANCE_MS,
    );
    // Each request reached nginx on its own: the log grew by exactly the requests sent.
    expect((await served()) - before).toBe(report.attempted);
    expect(report.latencyMs.p50).not.toBeNull();
    expect(io.err).toEqual([]);
  });

  it('fails with refused only while nginx is down, and succeeds again once it is back', async () => {
    const out = join(dir, 'outage.json');
    const controller = new AbortController();
    const outcomes: TrafficOutcome[] = [];
    const run = trafficMain(args(out, 120, ['--timeout', '1000']), captureIo(), {
      signal: controller.signal,
      onOutcome: (o) => outcomes.push(o),
    });
    try {
      await pollUntil(
        '20 successes before the kill',
        () => outcomes.filter((o) => o.ok).length,
        (n) => n >= 20,
      );
      const down = nginx;
      if (down === undefined) throw new Error('nginx is not running');
      const killAt = Date.now();
      process.kill(-down.pid, 'SIGKILL');
      await down.exited;
      await pollUntil(
        'the listener to close',
        () => listening(HOST, PORT),
        (up) => !up,
      );
      const downAt = Date.now();
      await pollUntil(
        '10 refused requests',
        () => outcomes.filter((o) => o.reason === 'refused' && o.at >= downAt).length,
        (n) => n >= 10,
      );
      const restartAt = Date.now();
      nginx = await startNginx();
      const upAt = Date.now();
      await pollUntil(
        '20 successes after the restart',
        () => outcomes.filter((o) => o.ok && o.at >= upAt).length,
        (n) => n >= 20,
      );
      controller.abort();
      expect(await run).toBe(0);
      const report = await readReport(out);

      expect(report.stoppedBy).toBe('signal');
      expect(report.succeeded + report.failed).toBe(report.attempted);
      expect(
        Math.abs(report.attempted - (RATE * (report.ended - report.started)) / 1000),
      ).toBeLessThanOrEqual(2);
      expect(report.failures).toHaveLength(report.failed); // under the cap: every failure is listed
      expect(report.failed).toBeGreaterThanOrEqual(10);
      for (const failure of report.failures) {
        expect(failure.at).toBeGreaterThanOrEqual(killAt - TOLERANCE_MS);
        expect(failure.at).toBeLessThanOrEqual(upAt);
        // Between the kill and the listener closing a request may be cut (reset); after it, only refused.
        if (failure.at >= downAt) expect(failure).toMatchObject({ error: 'refused' });
        else expect(['refused', 'reset']).toContain(failure.error);
      }
      expect(report.failuresByReason.refused).toBeGreaterThanOrEqual(10);
      expect(report.firstSucceeded).toBeLessThan(killAt);
      expect(report.lastSucceeded).toBeGreaterThanOrEqual(upAt);
      // Nothing succeeded while nothing listened.
      expect(outcomes.filter((o) => o.ok && o.at >= downAt && o.at < restartAt)).toEqual([]);
    } finally {
      controller.abort();
      await run;
    }
  });

  it('stops on a real SIGTERM, writes the file and exits 0', async () => {
    const out = join(dir, 'sigterm.json');
    const before = await served();
    const proc = startProcess('traffic', 'npx', ['tsx', 'test/support/traffic-entry.ts', ...args(out, 600)], {
      cwd: REPO,
    });
    others.push(proc);
    const started = await pollUntil(
      'the probe process to name its pid',
      () => /traffic-entry pid ([0-9]+)/.exec(proc.output())?.[1],
      (pid) => pid !== undefined,
      60_000,
    );
    const pid = Number(started);
    await pollUntil(
      '10 requests served',
      async () => (await served()) - before,
      (n) => n >= 10,
    );
    const termAt = Date.now();
    process.kill(pid, 'SIGTERM');
    const code = await proc.exited;
    const exitAt = Date.now();
    expect(code, proc.output()).toBe(0);
    const report = await readReport(out);
    expect(report).toMatchObject({ stoppedBy: 'signal', failed: 0 });
    expect(report.succeeded).toBe(report.attempted);
    expect(report.attempted).toBeGreaterThanOrEqual(10);
    expect(report.ended).toBeGreaterThanOrEqual(termAt - 50);
    expect(report.ended).toBeLessThanOrEqual(exitAt + 50);
    expect(proc.output()).toMatch(/"stoppedBy":"signal"/);
  });
});
