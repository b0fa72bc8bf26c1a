import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsReport } from '../../../helpers/probes/verdicts.ts';
import { writeBundle } from './bundle-fixture.ts';
import { hardKill, startMasterWorker, startSingle, startSocatEcho } from './haproxy.ts';
import { createNetnsPair, type NetnsPair, netnsUnavailable } from './netns.ts';
import { established, pollUntil, type RunningProcess, startListening, startProcess } from './procs.ts';

// HAProxy (mode tcp) in front of socat EXEC:cat plays ztunnel: a graceful reload with hard-stop-after is the
// drain of an upgrade, a SIGKILL is a crash. The probe's JSON timeline is compared with the times the test
// recorded when it reloaded or killed.

const INTERVAL = 250;
const DEADLINE = 4000; // hard-stop-after
// A reload's soft stop follows the new worker's start-up (well under a second here); a close is seen by the
// probe's socket at once, its timers may run up to two intervals late on a busy machine.
const TOLERANCE = 1000 + 2 * INTERVAL;
const COUNT = 5;
const RATE = 10;

let bundle = { dir: '', file: '' };
let work = '';
let running: RunningProcess[] = [];

beforeAll(async () => {
  bundle = await writeBundle();
});
afterAll(async () => {
  await rm(bundle.dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const proc of running.reverse()) await proc.stop();
  running = [];
  if (work !== '') await rm(work, { recursive: true, force: true });
  work = '';
});

async function workDir(): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'aus-probe-conn-'));
  return work;
}

function track<T extends RunningProcess>(proc: T): T {
  running.push(proc);
  return proc;
}

interface ProbeRun {
  out: string;
  proc: RunningProcess;
}

function startProbe(
  name: string,
  target: string,
  args: { count: number; durationS: number; rate: number; plannedLifeS?: number; netns?: string },
): ProbeRun {
  const out = join(work, `${name}.json`);
  const argv = [
    bundle.file,
    'connections',
    '--target',
    target,
    '--count',
    String(args.count),
    '--duration',
    String(args.durationS),
    '--interval',
    String(INTERVAL),
    '--new-per-second',
    String(args.rate),
    '--out',
    out,
    ...(args.plannedLifeS === undefined ? [] : ['--planned-life', String(args.plannedLifeS)]),
  ];
  return { out, proc: track(startProcess(name, 'node', argv, { netns: args.netns, cwd: bundle.dir })) };
}

async function finished(run: ProbeRun, timeoutMs: number): Promise<ConnectionsReport> {
  const code = await Promise.race([
    run.proc.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs)),
  ]);
  expect(code, `probe ${run.proc.name} exit: ${run.proc.output()}`).toBe(0);
  return ConnectionsReport.parse(JSON.parse(await readFile(run.out, 'utf8')));
}

interface Topology {
  netns?: NetnsPair;
  proxy: { host: string; port: number };
  echo: { host: string; port: number };
}

async function reloadScenario(topology: Topology): Promise<void> {
  const dir = await workDir();
  const serverNs = topology.netns?.server;
  const clientNs = topology.netns?.client;
  track(await startSocatEcho(topology.echo, serverNs));
  const proxy = await startMasterWorker({
    dir,
    listen: topology.proxy,
    upstream: topology.echo,
    hardStopAfterMs: DEADLINE,
    netns: serverNs,
  });
  track(proxy.proc);
  const target = `${topology.proxy.host}:${topology.proxy.port}`;
  const durationS = 10;
  const held = startProbe('held', target, { count: COUNT, durationS, rate: RATE, netns: clientNs });
  // These end their planned life inside the drain window: they must end cleanly, not be cut.
  const planned = startProbe('planned', target, {
    count: COUNT,
    durationS,
    rate: 0,
    plannedLifeS: 2,
    netns: clientNs,
  });
  await pollUntil(
    `${2 * COUNT} long connections through HAProxy`,
    () => established(topology.echo.port, serverNs),
    (n) => n >= 2 * COUNT,
  );
  const reload = await proxy.reload();
  const hardStop = reload.at + DEADLINE;
  // The old worker must be gone once its deadline has passed (it is what closes the held connections).
  await pollUntil(
    'the old HAProxy worker to exit at its hard-stop deadline',
    proxy.workers,
    (w) => !w.some((pid) => reload.oldWorkers.includes(pid)),
    DEADLINE + 5000,
  );
  const heldReport = await finished(held, durationS * 1000 + 5000);
  const plannedReport = await finished(planned, durationS * 1000 + 5000);
  // The timeline, relative to the reload, in the log: what the assertions below judge.
  const rel = (t: number | null): string => (t === null ? '-' : `${t - reload.at}`);
  console.info(
    `reload at 0, hard stop at ${DEADLINE} ms; held closed at [${heldReport.long.map((c) => rel(c.closed))}] ` +
      `(${heldReport.long.map((c) => c.outcome)}), planned closed at [${plannedReport.long.map((c) => rel(c.closed))}]; ` +
      `new ${heldReport.new.succeeded}/${heldReport.new.attempted} ok, last at ${rel(heldReport.new.lastSucceeded)}`,
  );

  // Precondition: the run covered the reload and enough time after the hard stop to prove new connections.
  expect(heldReport.ended).toBeGreaterThan(hardStop + TOLERANCE + 1000);
  expect(heldReport.long).toHaveLength(COUNT);
  for (const c of heldReport.long) {
    const where = `connection ${c.id}: ${JSON.stringify(c)} reload at ${reload.at}`;
    expect(c.opened ?? Number.POSITIVE_INFINITY, where).toBeLessThan(reload.at);
    expect(['eof', 'reset'], where).toContain(c.outcome);
    // Alive and echoing until the deadline, then closed by it.
    expect(c.lastEcho ?? 0, where).toBeGreaterThanOrEqual(hardStop - TOLERANCE);
    expect(c.closed ?? 0, where).toBeGreaterThanOrEqual(hardStop - TOLERANCE);
    expect(c.closed ?? 0, where).toBeLessThanOrEqual(hardStop + TOLERANCE);
  }
  // New connections kept working through the reload and after the hard stop.
  expect(heldReport.new.failures).toEqual([]);
  expect(heldReport.new.failed).toBe(0);
  expect(heldReport.new.attempted).toBeGreaterThanOrEqual((durationS * RATE) / 2);
  expect(heldReport.new.lastSucceeded ?? 0).toBeGreaterThan(hardStop + TOLERANCE);

  for (const c of plannedReport.long) {
    const where = `planned connection ${c.id}: ${JSON.stringify(c)} reload at ${reload.at}`;
    expect(c.outcome, where).toBe('closed');
    expect(c.closed ?? 0, where).toBeGreaterThan(reload.at);
    expect(c.closed ?? 0, where).toBeLessThan(hardStop - TOLERANCE);
  }
}

describe('connections through a graceful HAProxy reload with hard-stop-after', () => {
  it(`loopback: held connections live until the ${DEADLINE} ms deadline, new ones never fail`, async () => {
    await reloadScenario({
      proxy: { host: '127.0.4.20', port: 24020 },
      echo: { host: '127.0.4.20', port: 24021 },
    });
  });

  describe('across a veth between two network namespaces', () => {
    let pair: NetnsPair | undefined;
    let unavailable: string | undefined;
    beforeAll(async () => {
      unavailable = await netnsUnavailable();
      if (unavailable === undefined) pair = await createNetnsPair('pr');
    });
    afterAll(async () => {
      await pair?.remove();
    });

    it('client netns → HAProxy + socat netns: same timeline', async (ctx) => {
      if (unavailable !== undefined || pair === undefined) {
        ctx.skip(`network namespaces unavailable: ${unavailable}`);
        return;
      }
      await reloadScenario({
        netns: pair,
        proxy: { host: pair.serverAddress, port: 24040 },
        echo: { host: '127.0.0.1', port: 24041 },
      });
    });
  });
});

describe('connections through a hard kill of HAProxy', () => {
  it('long connections end right at the kill; new ones fail until the restart, then succeed', async () => {
    const dir = await workDir();
    const echo = { host: '127.0.4.21', port: 24023 };
    const spec = {
      dir,
      listen: { host: '127.0.4.21', port: 24022 },
      upstream: echo,
      hardStopAfterMs: DEADLINE,
    };
    track(await startSocatEcho(echo));
    const first = track(await startSingle(spec));
    const durationS = 7;
    const run = startProbe('kill', '127.0.4.21:24022', { count: COUNT, durationS, rate: RATE });
    await pollUntil(
      `${COUNT} long connections`,
      () => established(echo.port),
      (n) => n >= COUNT,
    );
    const killedAt = await hardKill(first);
    // The outage is the scenario (how long the proxy stays dead), not a settle time.
    const outageMs = 1500;
    await new Promise((r) => setTimeout(r, outageMs));
    const restarted = track(await startSingle(spec));
    const restartedAt = Date.now();
    const report = await finished(run, durationS * 1000 + 5000);
    await restarted.stop();
    const rel = (t: number | null): string => (t === null ? '-' : `${t - killedAt}`);
    console.info(
      `kill at 0, restart at ${restartedAt - killedAt} ms; long closed at [${report.long.map((c) => rel(c.closed))}] ` +
        `(${report.long.map((c) => c.outcome)}); new failures ${report.new.failed} between ` +
        `${rel(report.new.failures[0]?.at ?? null)} and ${rel(report.new.failures.at(-1)?.at ?? null)}`,
    );

    expect(report.ended, 'precondition: the probe ran past the restart').toBeGreaterThan(restartedAt + 1000);
    for (const c of report.long) {
      const where = `connection ${c.id}: ${JSON.stringify(c)} killed at ${killedAt}`;
      expect(c.opened ?? Number.POSITIVE_INFINITY, where).toBeLessThan(killedAt);
      expect(['eof', 'reset'], where).toContain(c.outcome);
      expect(c.closed ?? 0, where).toBeGreaterThanOrEqual(killedAt);
      // The kernel closes a killed process's sockets at once: no drain at all.
      expect(c.closed ?? 0, where).toBeLessThanOrEqual(killedAt + 2 * INTERVAL);
    }
    // New connections: refused while nothing listens, fine again after the restart.
    expect(report.new.failed).toBeGreaterThanOrEqual(Math.floor((outageMs / 1000) * RATE) - 2);
    for (const f of report.new.failures) {
      // An attempt already in flight when the proxy dies fails too.
      expect(f.at).toBeGreaterThanOrEqual(killedAt - INTERVAL);
      expect(f.at).toBeLessThanOrEqual(restartedAt);
      expect(f.error).toMatch(/ECONNREFUSED|ECONNRESET|closed/);
    }
    expect(report.new.lastSucceeded ?? 0).toBeGreaterThan(restartedAt);
  });
});

describe('probe connections stopped with SIGTERM (as the suite stops it in a pod)', () => {
  it('stops early, records live connections as open, writes the file and exits 0', async () => {
    await workDir();
    const echo = { host: '127.0.4.22', port: 24025 };
    const server = track(
      await startListening(
        'probe echo-server',
        'node',
        [bundle.file, 'echo-server', '--host', echo.host, '--port', String(echo.port)],
        [echo],
      ),
    );
    const run = startProbe('sigterm', `${echo.host}:${echo.port}`, { count: 3, durationS: 600, rate: 5 });
    await pollUntil(
      '3 long connections at the echo server',
      () => established(echo.port),
      (n) => n >= 3,
    );
    const signalledAt = Date.now();
    process.kill(run.proc.pid, 'SIGTERM');
    const report = await finished(run, 5000);
    expect(report.stoppedBy).toBe('signal');
    expect(report.ended).toBeGreaterThanOrEqual(signalledAt);
    // It stops at the signal, not at --duration; in-flight short connections get at most one interval.
    expect(report.ended - signalledAt).toBeLessThanOrEqual(1000 + INTERVAL);
    expect(report.long.map((c) => c.outcome)).toEqual(['open', 'open', 'open']);
    expect(report.long.every((c) => c.closed === null)).toBe(true);
    expect(run.proc.output()).toMatch(/"stoppedBy":"signal"/);

    process.kill(server.pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain(`"listening":"${echo.host}:${echo.port}"`);
  });
});
