// `probe weights` against a real weighted proxy: HAProxy in front of nginx servers that answer like bookinfo's
// reviews (`/reviews/0` JSON carrying the pod name). Loopback only: 127.0.3.0/24, ports 23000–23999.
//
// Why HAProxy `balance random(1)` and not nginx: nginx's default weighted balancing is smooth weighted round
// robin, a fixed repeating order (9 × v1, 1 × v2, …) whose counts match 90/10 exactly at every multiple of 10 —
// no sampling noise, so it cannot exercise a statistical test. HAProxy's `random` draws a server per request with
// probability ∝ weight, like Envoy's weighted clusters. `(1)` turns off its default power-of-two-choices (two
// draws, keep the less loaded), which with sequential requests would favour whichever server did not just answer.
// HAProxy's random lands on a consistent-hash ring with weight × 16 points per server, so realised shares differ
// from the weights by a fraction of a point; weights are scaled up (×2, ×2.5) to keep that small.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsVerdict } from '../../../helpers/probes/weights.ts';
import { weightsMain } from '../../../helpers/probes/weights-cli.ts';
import { childrenOf, pollUntil } from './procs.ts';

const BACKENDS = {
  'reviews-v1': { host: '127.0.3.11', port: 23011 },
  'reviews-v2': { host: '127.0.3.12', port: 23012 },
  'reviews-v3': { host: '127.0.3.13', port: 23013 },
} as const;
/** Nothing listens here: HAProxy answers 503 for requests it routes to this server. */
const DOWN = { host: '127.0.3.14', port: 23014 };
const PROXY_HOST = '127.0.3.1';

type Server = { name: string; weight: number; host: string; port: number };
const up = (name: keyof typeof BACKENDS, weight: number): Server => ({ name, weight, ...BACKENDS[name] });

/** One HAProxy frontend per case, each with its own backend so per-server totals belong to one case. */
const CASES = {
  w90_10: { port: 23001, servers: [up('reviews-v1', 180), up('reviews-v2', 20)] },
  w85_15: { port: 23002, servers: [up('reviews-v1', 170), up('reviews-v2', 30)] },
  w95_5: { port: 23003, servers: [up('reviews-v1', 190), up('reviews-v2', 10)] },
  w50_50: { port: 23004, servers: [up('reviews-v1', 128), up('reviews-v2', 128)] },
  w88_10_2: { port: 23005, servers: [up('reviews-v1', 220), up('reviews-v2', 25), up('reviews-v3', 5)] },
  v2down: { port: 23006, servers: [up('reviews-v1', 180), { name: 'reviews-v2', weight: 20, ...DOWN }] },
} as const;
type CaseName = keyof typeof CASES;

function nginxConfig(dir: string): string {
  const servers = Object.entries(BACKENDS).map(
    ([name, { host, port }]) => `
    server {
      listen ${host}:${port};
      location / {
        default_type application/json;
        return 200 '{"id":"0","podname":"${name}-6c5b8f9d4-x2k9p","clustername":"null","rating":{"stars":5}}';
      }
    }`,
  );
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers.join('\n')}
}
`;
}

function haproxyConfig(dir: string): string {
  const blocks = Object.entries(CASES).map(
    ([name, { port, servers }]) => `
frontend ${name}
  bind ${PROXY_HOST}:${port}
  default_backend ${name}
backend ${name}
  balance random(1)
  retries 0
${servers.map((s) => `  server ${s.name} ${s.host}:${s.port} weight ${s.weight}`).join('\n')}`,
  );
  return `global
  stats socket ${dir}/haproxy.sock mode 600 level operator
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
${blocks.join('\n')}
`;
}

const children: ChildProcess[] = [];
let dir = '';

/** Starts a program and keeps its output for the error message if it exits early. */
function start(command: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until the port accepts connections; fails with the program's output if it exits or the deadline passes. */
async function waitForPort(what: string, host: string, port: number, started: ReturnType<typeof start>) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (started.child.exitCode !== null) {
      throw new Error(`${what} exited with ${started.child.exitCode} before listening: ${started.output()}`);
    }
    if (await canConnect(host, port)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} not listening on ${host}:${port} after 15 s: ${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** HAProxy's own count of requests sent to each server of a backend (`show stat`, column `stot`). */
async function haproxyTotals(backend: string, sock = 'haproxy.sock'): Promise<Record<string, number>> {
  const csv = await new Promise<string>((resolve, reject) => {
    const socket = connect(join(dir, sock));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end('show stat\n');
  });
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const columns = (header ?? '').split(',');
  const at = (name: string) => columns.indexOf(name);
  const totals: Record<string, number> = {};
  for (const row of rows.map((line) => line.split(','))) {
    const server = row[at('svname')];
    if (
      row[at('pxname')] === backend &&
      server !== undefined &&
      server !== 'BACKEND' &&
      server !== 'FRONTEND'
    ) {
      totals[server] = Number(row[at('stot')]);
    }
  }
  return totals;
}

async function probe(name: CaseName, expect: string, extra: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const argv = [
    '--url',
    `http://${PROXY_HOST}:${CASES[name].port}/reviews/0`,
    '--match',
    'reviews-v[0-9]',
    '--expect',
    expect,
    '--timeout',
    '5000',
    ...extra,
  ];
  const code = await weightsMain(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  if (err.length > 0 || out.length !== 1)
    throw new Error(`probe printed stderr ${err.join('')} stdout ${out.join('')}`);
  return { code, verdict: WeightsVerdict.parse(JSON.parse(out[0] ?? '')) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-weights-'));
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir));
  await writeFile(join(dir, 'haproxy.cfg'), haproxyConfig(dir));
  const nginx = start('nginx', [
    '-p',
    dir,
    '-e',
    join(dir, 'nginx-error.log'),
    '-c',
    join(dir, 'nginx.conf'),
  ]);
  for (const [name, { host, port }] of Object.entries(BACKENDS))
    await waitForPort(`nginx ${name}`, host, port, nginx);
  // -db: foreground, no daemon, so the child is HAProxy itself and stops with it.
  const haproxy = start('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
  for (const [name, { port }] of Object.entries(CASES))
    await waitForPort(`haproxy ${name}`, PROXY_HOST, port, haproxy);
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  if (dir !== '') {
    const log = await readFile(join(dir, 'nginx-error.log'), 'utf8').catch(() => '');
    if (/\[(emerg|alert|crit)\]/.test(log)) process.stderr.write(`nginx error log:\n${log}`);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('probe weights through a real weighted proxy', () => {
  it('passes 90/10 and counts exactly what HAProxy routed', async () => {
    const { code, verdict } = await probe('w90_10', 'reviews-v1=90,reviews-v2=10');
    expect(verdict.verdict, verdict.reason).toBe('pass');
    expect(code).toBe(0);
    expect(verdict.errors).toBe(0);
    // One request per verdict count: no retries, no reuse, every answer named — HAProxy agrees server by server.
    expect(await haproxyTotals('w90_10')).toEqual(verdict.counts);
  });

  it.each([
    ['w85_15', '85/15'],
    ['w95_5', '95/5'],
    ['w50_50', '50/50'],
  ] as const)('fails %s (a %s split) against 90/10', async (name, _split) => {
    const { code, verdict } = await probe(name, 'reviews-v1=90,reviews-v2=10');
    expect(verdict.verdict, verdict.reason).toBe('fail');
    expect(code).toBe(1);
    expect(verdict.reason).toMatch(/rejected in favour of/);
    expect(await haproxyTotals(name)).toEqual(verdict.counts);
  });

  it('fails 88/10/2 when reviews-v3 is not expected, at its first answer', async () => {
    const { code, verdict } = await probe('w88_10_2', 'reviews-v1=90,reviews-v2=10');
    expect(verdict.verdict).toBe('fail');
    expect(code).toBe(1);
    expect(verdict.counts['reviews-v3']).toBe(1);
    expect(verdict.reason).toMatch(/reviews-v3 is not an expected backend/);
  });

  it('is inconclusive, not passed, when a backend is down (HAProxy 503s)', async () => {
    const { code, verdict } = await probe('v2down', 'reviews-v1=90,reviews-v2=10');
    expect(verdict.verdict).toBe('inconclusive');
    expect(code).toBe(2);
    expect(verdict.errorKinds['http-status']).toBe(verdict.errors);
    expect(verdict.firstError).toMatch(/^http-status: HTTP 503/);
  });
});

// The route converging under the probe: HAProxy (master-worker) starts with a 3-backend config in which
// reviews-v3 answers most requests (the old route), and is reloaded to the 90/10 config while the probe warms up.
describe('probe weights --warmup while the route converges (HAProxy reload mid-warm-up)', () => {
  const PORT = 23020;
  const config = (servers: Server[]): string => `global
  stats socket ${dir}/converge.sock mode 600 level operator
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend converge
  bind ${PROXY_HOST}:${PORT}
  default_backend converge
backend converge
  balance random(1)
  retries 0
${servers.map((s) => `  server ${s.name} ${s.host}:${s.port} weight ${s.weight}`).join('\n')}
`;
  const OLD_ROUTE = [up('reviews-v1', 20), up('reviews-v2', 20), up('reviews-v3', 160)];
  const NEW_ROUTE = [up('reviews-v1', 180), up('reviews-v2', 20)];

  it('reports the old backends under warmup, then judges only the converged 90/10 split: pass', async () => {
    const cfg = join(dir, 'converge.cfg');
    await writeFile(cfg, config(OLD_ROUTE));
    const haproxy = start('haproxy', ['-W', '-db', '-f', cfg]);
    await waitForPort('haproxy converge', PROXY_HOST, PORT, haproxy);
    const url = `http://${PROXY_HOST}:${PORT}/reviews/0`;
    const out: string[] = [];
    const running = weightsMain(
      [
        '--url',
        url,
        '--match',
        'reviews-v[0-9]',
        '--expect',
        'reviews-v1=90,reviews-v2=10',
        '--warmup',
        '20',
        '--warmup-timeout',
        '60000',
      ],
      { stdout: (s) => out.push(s), stderr: (s) => out.push(`stderr: ${s}`) },
    );
    // Reload once the probe has been answered by the old route's reviews-v3 a few times.
    const deadline = Date.now() + 15_000;
    while (
      ((await haproxyTotals('converge', 'converge.sock').catch((): Record<string, number> => ({})))[
        'reviews-v3'
      ] ?? 0) < 20
    ) {
      if (Date.now() > deadline) throw new Error(`the probe never reached the old route: ${out.join('')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await writeFile(cfg, config(NEW_ROUTE));
    const reloadedAt = Date.now();
    haproxy.child.kill('SIGUSR2');
    const master = haproxy.child.pid ?? 0;
    const oldWorkers = await childrenOf(master);
    // The new worker serves the new route; the old one finishes what it has in flight and leaves.
    await pollUntil(
      'a new HAProxy worker after the reload',
      () => childrenOf(master),
      (w) => w.some((pid) => !oldWorkers.includes(pid)),
    );
    const code = await running;
    haproxy.child.kill('SIGTERM');
    expect(out, out.join('')).toHaveLength(1);
    const verdict = WeightsVerdict.parse(JSON.parse(out[0] ?? ''));
    console.info(
      `reload at ${reloadedAt}; warm-up ${JSON.stringify(verdict.warmup)}; judged ${JSON.stringify(verdict.counts)}`,
    );
    expect(verdict.warmup, verdict.reason).toMatchObject({ required: 20, reached: true });
    // The old route's answers were seen, reported and not judged.
    expect(verdict.warmup?.counts['reviews-v3'] ?? 0).toBeGreaterThanOrEqual(20);
    expect(verdict.counts['reviews-v3']).toBeUndefined();
    expect(verdict.verdict, verdict.reason).toBe('pass');
    expect(code).toBe(0);
  });
});
