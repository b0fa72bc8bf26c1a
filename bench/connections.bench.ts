// `npm run bench connections`: the `connections` probe holding 1000 long-lived connections at a 1 s interval
// against the bundled echo server for ~20 s. Measures the probe's CPU seconds per second and resident memory,
// then kills the echo server and measures how long each connection's end takes to reach the probe's record.
// 1000 connections need ~1000 descriptors in each of the two processes: checked against `ulimit -n` first.
// The machine's load average is printed before and after: CPU per second and kill-to-record times depend on it
// (a busy machine batches more events per wake-up), so compare figures only when measured under the same load.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildProbeBundle } from '../helpers/probes/bundle.ts';
import { ConnectionsReport } from '../helpers/probes/verdicts.ts';

const HOST = '127.0.4.40';
const PORT = 24050;
const COUNT = 1000;
const INTERVAL_MS = 1000;
const WINDOW_MS = 20_000;

async function openFileLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const soft = /Max open files\s+(\d+|unlimited)/.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (fields 14 and 15, after the comm field). */
async function cpuSeconds(pid: number, ticksPerSecond: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function establishedTo(port: number): Promise<number> {
  const { stdout } = await execa('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`]);
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function loadAverage(): Promise<string> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
}

export default async function bench(): Promise<void> {
  const loadBefore = await loadAverage();
  const limit = await openFileLimit();
  if (limit < COUNT + 200) {
    process.stdout.write(
      `skipped: ulimit -n is ${limit}; ${COUNT} connections need at least ${COUNT + 200} (raise it with ulimit -n)\n`,
    );
    return;
  }
  const ticks = Number((await execa('getconf', ['CLK_TCK'])).stdout);
  const dir = await mkdtemp(join(tmpdir(), 'aus-probe-bench-'));
  const bundle = join(dir, 'probe.mjs');
  const out = join(dir, 'report.json');
  await writeFile(bundle, await buildProbeBundle());
  const echo = spawn('node', [bundle, 'echo-server', '--host', HOST, '--port', String(PORT)], {
    stdio: 'pipe',
  });
  const listening = await new Promise<boolean>((resolve) => {
    echo.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString().includes('"listening"')));
    echo.once('exit', () => resolve(false));
  });
  if (!listening) throw new Error(`echo server did not start on ${HOST}:${PORT}`);
  const probe = spawn(
    'node',
    [
      bundle,
      'connections',
      '--target',
      `${HOST}:${PORT}`,
      '--count',
      String(COUNT),
      '--duration',
      '600',
      '--interval',
      String(INTERVAL_MS),
      '--new-per-second',
      '0',
      '--out',
      out,
    ],
    { stdio: 'pipe' },
  );
  const probeExit = new Promise<number | null>((resolve) => probe.once('exit', resolve));
  try {
    const pid = probe.pid ?? 0;
    const openStarted = Date.now();
    await poll(`${COUNT} established connections`, async () => (await establishedTo(PORT)) >= COUNT, 30_000);
    const openMs = Date.now() - openStarted;
    // Let every connection reach its steady tick (first writes are spread over one interval).
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    const cpu0 = await cpuSeconds(pid, ticks);
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpu1 = await cpuSeconds(pid, ticks);
    const wallS = (performance.now() - wall0) / 1000;
    const rss = await rssMiB(pid);

    const killedAt = Date.now();
    echo.kill('SIGKILL');
    await poll('every connection to end', async () => (await establishedTo(PORT)) === 0, 30_000);
    probe.kill('SIGTERM');
    await probeExit;
    const report = ConnectionsReport.parse(JSON.parse(await readFile(out, 'utf8')));
    const ended = report.long.filter((c) => c.closed !== null && c.outcome !== 'open');
    const delays = ended.map((c) => (c.closed ?? 0) - killedAt).sort((a, b) => a - b);
    const outcomes: Record<string, number> = {};
    for (const c of report.long) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
    const timeouts = report.long.filter((c) => c.outcome === 'timeout').length;
    // Absent from reports of probes older than --echo-timeout.
    const worstEcho = Math.max(...report.long.map((c) => c.worstEchoMs ?? Number.NaN));

    const rows: [string, string][] = [
      ['load average (1, 5, 15 min) before / after', `${loadBefore} / ${await loadAverage()}`],
      ['open file limit (ulimit -n)', String(limit)],
      [`time to open ${COUNT} connections`, `${openMs} ms`],
      [
        `probe CPU over ${wallS.toFixed(1)} s (${COUNT} conns, ${INTERVAL_MS} ms interval)`,
        `${((cpu1 - cpu0) / wallS).toFixed(3)} CPU s/s`,
      ],
      ['probe resident memory', `${rss.toFixed(1)} MiB`],
      ['echo-server SIGKILL → record: first', `${delays[0] ?? Number.NaN} ms`],
      ['echo-server SIGKILL → record: median', `${percentile(delays, 50)} ms`],
      ['echo-server SIGKILL → record: p99', `${percentile(delays, 99)} ms`],
      ['echo-server SIGKILL → record: max', `${delays.at(-1) ?? Number.NaN} ms`],
      [
        'outcomes after the kill',
        Object.entries(outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ],
      ['echo timeouts before the kill', String(timeouts)],
      ['slowest echo', Number.isNaN(worstEcho) ? 'not reported' : `${worstEcho} ms`],
    ];
    process.stdout.write('| measure | value |\n| --- | --- |\n');
    for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
  } finally {
    for (const child of [echo, probe]) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
