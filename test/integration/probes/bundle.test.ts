import { readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGMAP_LIMIT_BYTES } from '../../../helpers/probes/bundle.ts';
import { AuthzVerdict } from '../../../helpers/probes/verdicts.ts';
import { writeBundle } from './bundle-fixture.ts';

// The pod runs `node /probe/probe.mjs …` from a ConfigMap mount with a public Node image: no node_modules.
// These run the built bundle the same way, from an empty temp folder with plain `node`.

const HOST = '127.0.4.30';

describe('the probe bundle', () => {
  let bundle = { dir: '', file: '' };
  let server: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    bundle = await writeBundle();
    server = createServer((req, res) => {
      if (req.url === '/rbac')
        res.writeHead(403, { 'content-type': 'text/plain' }).end('RBAC: access denied');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => server?.listen(0, HOST, resolve));
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(bundle.dir, { recursive: true, force: true });
  });

  const node = (args: string[]) =>
    execa('node', [bundle.file, ...args], { cwd: bundle.dir, reject: false, env: { NODE_PATH: '' } });

  it('fits in a ConfigMap and sits alone in its folder', async () => {
    const { size } = await stat(bundle.file);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    expect(await readdir(bundle.dir)).toEqual(['probe.mjs']);
    // Proof that nothing could be resolved from node_modules there: zod is not findable from this folder.
    const resolve = await execa('node', ['--input-type=module', '-e', "await import('zod')"], {
      cwd: bundle.dir,
      reject: false,
    });
    expect(resolve.exitCode).not.toBe(0);
    expect(resolve.stderr).toMatch(/Cannot find package 'zod'/);
  });

  it('lists its subcommands on --help', async () => {
    const result = await node(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/weights[\s\S]*authz[\s\S]*connections[\s\S]*echo-server/);
  });

  it.each(['weights', 'authz', 'connections', 'echo-server'])('%s --help runs and exits 0', async (name) => {
    const result = await node([name, '--help']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: probe ${name} `));
  });

  it('answers bad arguments with one line and exit 2', async () => {
    const result = await node(['authz', '--url', 'http://x/']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['/', 'allow', 0, 'allow'],
    ['/rbac', 'deny', 0, 'deny'],
    ['/rbac', 'allow', 1, 'deny'],
  ] as const)(
    'authz %s --expect %s makes a real request: exit %i, verdict %s',
    async (path, flag, code, verdict) => {
      const result = await node(['authz', '--url', `http://${HOST}:${port}${path}`, '--expect', flag]);
      expect(result.exitCode, result.stderr).toBe(code);
      expect(AuthzVerdict.parse(JSON.parse(result.stdout)).verdict).toBe(verdict);
    },
  );
});
