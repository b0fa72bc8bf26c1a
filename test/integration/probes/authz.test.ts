import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DenyMechanism, requestAuthz } from '../../../helpers/probes/authz.ts';
import { AuthzVerdict } from '../../../helpers/probes/verdicts.ts';
import { writeBundle } from './bundle-fixture.ts';
import { type RunningProcess, startListening } from './procs.ts';

// Real nginx, HAProxy and socat on 127.0.4.10 play the waypoint, the ztunnel L4 deny, a broken waypoint and a
// hung server; the probe must tell policy outcomes apart from failures.
const HOST = '127.0.4.10';
const NGINX = 24010;
const TCP_REJECT = 24011; // HAProxy `tcp-request connection reject`
const HTTP_REJECT = 24012; // HAProxy `http-request reject`
const DEAD_UPSTREAM = 24013; // HAProxy in front of nothing → 503
const SILENT = 24014; // socat that accepts and never answers
const NOTHING = 24999; // nothing listens here

const nginxConf = (dir: string): string => `
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${HOST}:${NGINX};
    default_type text/plain;
    location = /ok { return 200 "hello from the app\\n"; }
    location = /moved { return 302 /ok; }
    location = /rbac { return 403 "RBAC: access denied"; }
    location = /forbidden { return 403; }
    location = /unavailable { return 503 "no healthy upstream"; }
  }
}
`;

const haproxyConf = `
defaults
  mode http
  retries 0
  timeout connect 500ms
  timeout client 10s
  timeout server 10s
frontend tcp_reject
  bind ${HOST}:${TCP_REJECT}
  tcp-request connection reject
frontend http_reject
  bind ${HOST}:${HTTP_REJECT}
  http-request reject
frontend dead_upstream
  bind ${HOST}:${DEAD_UPSTREAM}
  default_backend nothing
backend nothing
  server gone ${HOST}:${NOTHING}
`;

describe('probe authz against real servers', () => {
  let dir = '';
  let bundle = { dir: '', file: '' };
  const procs: RunningProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aus-probe-authz-'));
    await writeFile(join(dir, 'nginx.conf'), nginxConf(dir));
    await writeFile(join(dir, 'haproxy.cfg'), haproxyConf);
    bundle = await writeBundle();
    procs.push(
      await startListening(
        'nginx',
        'nginx',
        ['-e', join(dir, 'nginx-error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
        [{ host: HOST, port: NGINX }],
      ),
      await startListening(
        'haproxy',
        'haproxy',
        ['-db', '-f', join(dir, 'haproxy.cfg')],
        [TCP_REJECT, HTTP_REJECT, DEAD_UPSTREAM].map((port) => ({ host: HOST, port })),
      ),
      await startListening(
        'socat-silent',
        'socat',
        [`TCP-LISTEN:${SILENT},bind=${HOST},reuseaddr,fork`, 'EXEC:sleep 600'],
        [{ host: HOST, port: SILENT }],
      ),
    );
  });

  afterAll(async () => {
    for (const proc of procs.reverse()) await proc.stop();
    await rm(dir, { recursive: true, force: true });
    if (bundle.dir !== '') await rm(bundle.dir, { recursive: true, force: true });
  });

  const probe = (port: number, path = '/', timeoutMs = 3000, denyBy: DenyMechanism = 'waypoint') =>
    requestAuthz({ url: new URL(`http://${HOST}:${port}${path}`), method: 'GET', timeoutMs, denyBy });

  it('allows a 200 from nginx', async () => {
    expect(await probe(NGINX, '/ok')).toMatchObject({ verdict: 'allow', status: 200 });
  });

  it('allows a 302 from nginx (3xx is the application answering)', async () => {
    expect(await probe(NGINX, '/moved')).toMatchObject({ verdict: 'allow', status: 302 });
  });

  it("denies nginx's 403 with body 'RBAC: access denied' (the waypoint's deny)", async () => {
    const v = await probe(NGINX, '/rbac');
    expect(v).toMatchObject({ verdict: 'deny', by: 'http-403-rbac', status: 403 });
    expect(v.evidence).toContain('RBAC: access denied');
  });

  it("calls nginx's own 403 page an error, not a deny", async () => {
    const v = await probe(NGINX, '/forbidden');
    expect(v).toMatchObject({ verdict: 'error', reason: 'http-status', status: 403 });
    expect(v.evidence).toMatch(/403 Forbidden/);
  });

  it('calls a 503 an error, not a deny', async () => {
    expect(await probe(NGINX, '/unavailable')).toMatchObject({ verdict: 'error', status: 503 });
  });

  describe('--deny-by waypoint (the default): only the RBAC 403 is a deny', () => {
    it('calls a reset before any byte (HAProxy tcp-request connection reject) an error naming the RST', async () => {
      const v = await probe(TCP_REJECT);
      expect(v).toMatchObject({ verdict: 'error', reason: 'reset' });
      expect(v.evidence).toMatch(/reset by peer \(RST\) before any response byte.*not the waypoint's deny/);
    });

    it('calls a clean close before any byte (HAProxy http-request reject) an error naming the EOF', async () => {
      const v = await probe(HTTP_REJECT);
      expect(v).toMatchObject({ verdict: 'error', reason: 'eof' });
      expect(v.evidence).toMatch(/closed by peer \(EOF\) before any response byte.*not the waypoint's deny/);
    });
  });

  describe('--deny-by ztunnel: only a reset before any response byte is a deny', () => {
    const z = (port: number, path = '/') => probe(port, path, 3000, 'ztunnel');

    it('denies when HAProxy resets the connection before any response (RST, curl exit 56)', async () => {
      const v = await z(TCP_REJECT);
      expect(v).toMatchObject({ verdict: 'deny', by: 'reset' });
      expect(v.evidence).toMatch(/reset by peer \(RST\)/);
    });

    it('calls a clean close before any byte (HAProxy http-request reject) an error', async () => {
      const v = await z(HTTP_REJECT);
      expect(v).toMatchObject({ verdict: 'error', reason: 'eof' });
      expect(v.evidence).toMatch(/a ztunnel L4 deny is a reset \(RST\), not a clean close/);
    });

    it("calls nginx's 403 'RBAC: access denied' an error (an HTTP answer is no L4 deny)", async () => {
      const v = await z(NGINX, '/rbac');
      expect(v).toMatchObject({ verdict: 'error', reason: 'http-status', status: 403 });
      expect(v.evidence).toMatch(/not the ztunnel L4 deny/);
    });

    it("calls nginx's own 403 page an error", async () => {
      expect(await z(NGINX, '/forbidden')).toMatchObject({
        verdict: 'error',
        reason: 'http-status',
        status: 403,
      });
    });

    it('still allows a 200 from nginx', async () => {
      expect(await z(NGINX, '/ok')).toMatchObject({ verdict: 'allow', status: 200 });
    });
  });

  it("calls HAProxy's 503 for a dead upstream an error", async () => {
    const v = await probe(DEAD_UPSTREAM);
    expect(v).toMatchObject({ verdict: 'error', reason: 'http-status', status: 503 });
    expect(v.evidence).toMatch(/503 Service Unavailable/);
  });

  it('calls a refused connection (nothing listening) an error', async () => {
    expect(await probe(NOTHING)).toMatchObject({ verdict: 'error', reason: 'refused' });
  });

  it('calls a server that accepts and never answers a timeout', async () => {
    const timeoutMs = 500;
    const v = await probe(SILENT, '/', timeoutMs);
    expect(v).toMatchObject({ verdict: 'error', reason: 'timeout' });
    // The timeline is the point here: it gave up at its deadline, not before.
    expect(v.elapsedMs).toBeGreaterThanOrEqual(timeoutMs);
  });

  describe('exit codes of the bundled program (node probe.mjs authz …)', () => {
    it.each([
      ['allow expected, allowed → exit 0', NGINX, '/ok', 'allow', [], 0, 'allow'],
      ['deny expected, RBAC 403 → exit 0', NGINX, '/rbac', 'deny', [], 0, 'deny'],
      ['allow expected, RBAC 403 → exit 1', NGINX, '/rbac', 'allow', [], 1, 'deny'],
      ['deny expected, reset (waypoint) → exit 2', TCP_REJECT, '/', 'deny', [], 2, 'error'],
      ['deny expected, EOF (waypoint) → exit 2', HTTP_REJECT, '/', 'deny', [], 2, 'error'],
      [
        'deny expected, reset (ztunnel) → exit 0',
        TCP_REJECT,
        '/',
        'deny',
        ['--deny-by', 'ztunnel'],
        0,
        'deny',
      ],
      [
        'deny expected, EOF (ztunnel) → exit 2',
        HTTP_REJECT,
        '/',
        'deny',
        ['--deny-by', 'ztunnel'],
        2,
        'error',
      ],
      [
        'deny expected, RBAC 403 (ztunnel) → exit 2',
        NGINX,
        '/rbac',
        'deny',
        ['--deny-by', 'ztunnel'],
        2,
        'error',
      ],
      ['deny expected, allowed → exit 1', NGINX, '/ok', 'deny', [], 1, 'allow'],
      ['deny expected, 503 → exit 2', DEAD_UPSTREAM, '/', 'deny', [], 2, 'error'],
      ['deny expected, refused → exit 2', NOTHING, '/', 'deny', [], 2, 'error'],
    ] as const)('%s', async (_title, port, path, expectFlag, extra, code, verdict) => {
      const result = await execa(
        'node',
        [
          bundle.file,
          'authz',
          '--url',
          `http://${HOST}:${port}${path}`,
          '--expect',
          expectFlag,
          '--timeout',
          '3000',
          ...extra,
        ],
        { cwd: bundle.dir, reject: false },
      );
      expect(result.exitCode, result.stderr).toBe(code);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(AuthzVerdict.parse(JSON.parse(lines[0] ?? '')).verdict).toBe(verdict);
    });
  });
});
