import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStandInBin,
  DOCKER_DOWN,
  DOCKER_UP,
  type StandInBin,
  type StandInRule,
} from '../../support/stand-in-bin.ts';

const CLI = fileURLToPath(new URL('../../../bin/ambient-upgrade.js', import.meta.url));
const TOKEN = 'sha256~SECRET-TOKEN-do-not-print-0123456789';
// Spawning tsx takes a few seconds on a loaded machine; the assertions are about outcome, not speed.
const SPAWN_TIMEOUT = 60_000;

let bin: StandInBin | undefined;
let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'aus-cli-'));
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await rm(cwd, { recursive: true, force: true });
});

async function standIns(tools: Record<string, readonly StandInRule[]>): Promise<StandInBin> {
  bin = await createStandInBin(tools);
  return bin;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  return execa(process.execPath, [CLI, ...args], {
    cwd,
    env,
    extendEnv: false,
    reject: false,
    timeout: SPAWN_TIMEOUT,
  });
}

async function writeKubeconfig(server: string): Promise<string> {
  const path = join(cwd, 'prod.kubeconfig');
  await writeFile(
    path,
    `apiVersion: v1
kind: Config
current-context: prod-admin
clusters: [{ name: prod, cluster: { server: ${JSON.stringify(server)} } }]
contexts: [{ name: prod-admin, context: { cluster: prod, user: admin } }]
users: [{ name: admin, user: { token: ${TOKEN} } }]
`,
  );
  return path;
}

describe('ambient-upgrade run (spawned)', () => {
  it(
    'on a machine with a docker client but no daemon, no kind and no helm: exits 2 naming each, creating nothing',
    async () => {
      const b = await standIns({ docker: DOCKER_DOWN });
      const result = await spawnCli(
        ['run', '--scenario', 'inplace', '--from', '1.29.6', '--to', '1.30.3'],
        b.env(),
      );
      expect(result.exitCode).toBe(2);
      expect(result.stderr.split('\n')).toEqual([
        'ambient-upgrade: Docker is installed but its daemon is not reachable — start Docker, or use --provider existing --kubeconfig <file>',
        expect.stringMatching(/^ambient-upgrade: kind not found on PATH — install kind/),
        expect.stringMatching(/^ambient-upgrade: helm not found on PATH — install Helm/),
      ]);
      expect(existsSync(join(cwd, 'runs'))).toBe(false);
      expect((await b.calls()).map((c) => c.tool)).toEqual(['docker']);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'rejects an unknown scenario in one line with exit 2',
    async () => {
      const b = await standIns({});
      const result = await spawnCli(['run', '--scenario', 'blue-green'], b.env());
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /^ambient-upgrade: --scenario: unknown scenario "blue-green" — use one of /,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    },
    SPAWN_TIMEOUT,
  );

  it(
    'refuses --kubeconfig on a context not named by --allow-cluster, and never prints the token',
    async () => {
      const b = await standIns({ helm: [] });
      const kubeconfig = await writeKubeconfig('https://127.0.0.1:1');
      const refused = await spawnCli(['run', '--kubeconfig', kubeconfig], b.env());
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr.trim()).toBe(
        'ambient-upgrade: refusing to modify existing cluster context "prod-admin" — pass --allow-cluster prod-admin to let the suite install and upgrade Istio there',
      );
      const wrong = await spawnCli(['run', '--kubeconfig', kubeconfig, '--allow-cluster', 'lab'], b.env());
      expect(wrong.exitCode).toBe(2);
      expect(wrong.stderr).toContain(
        '--allow-cluster "lab" does not match the resolved context "prod-admin"',
      );
      // Allowed, but the API does not answer: still one line per problem, still no token.
      const down = await spawnCli(
        ['run', '--kubeconfig', kubeconfig, '--allow-cluster', 'prod-admin'],
        b.env(),
      );
      expect(down.exitCode).toBe(2);
      expect(down.stderr).toMatch(
        /API server of context "prod-admin" \(https:\/\/127\.0\.0\.1:1\) did not answer/,
      );
      for (const r of [refused, wrong, down]) {
        expect(r.stdout + r.stderr).not.toContain(TOKEN);
        expect(r.stdout + r.stderr).not.toContain('SECRET');
      }
    },
    SPAWN_TIMEOUT,
  );

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'on %s during cluster creation: stops kind, deletes the cluster it was creating, exits %i',
    async (signal, exitCode) => {
      const b = await standIns({
        docker: DOCKER_UP,
        helm: [],
        kind: [{ match: ['create', 'cluster'], hang: true }],
      });
      const child = spawnCli(['run', '--scenario', 'inplace'], b.env());
      await b.waitForCall((line) => line === 'kind <hanging>', SPAWN_TIMEOUT / 2);
      child.kill(signal);
      const result = await child;
      expect(result.exitCode).toBe(exitCode);
      const calls = await b.calls();
      const create = calls.find((c) => c.tool === 'kind' && c.argv[0] === 'create');
      const name = create?.argv[create.argv.indexOf('--name') + 1];
      expect(name).toMatch(/^aus-\d{8}-\d{6}-[0-9a-f]{4}$/);
      expect(result.stderr).toContain(`${signal} received — stopping and cleaning up`);
      // The run folder (with its record for `cleanup --run`) exists; the kubeconfig went there, not to ~/.kube,
      // and `kind delete` edits that one too.
      const [runId] = await readdir(join(cwd, 'runs'));
      const kubeconfig = join(cwd, 'runs', runId ?? '', 'kubeconfig');
      expect(create?.argv).toContain(kubeconfig);
      expect(calls.filter((c) => c.tool === 'kind' && c.argv[0] === 'delete').map((c) => c.argv)).toEqual([
        ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig],
      ]);
    },
    SPAWN_TIMEOUT,
  );
});
