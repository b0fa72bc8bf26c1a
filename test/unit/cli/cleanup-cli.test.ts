import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupAllKind, cleanupRun } from '../../../clusters/cleanup-run.ts';
import { MISSING } from '../../../clusters/prerequisites.ts';
import { createStandInBin, type StandInBin, type StandInRule } from '../../support/stand-in-bin.ts';

const CLI = fileURLToPath(new URL('../../../bin/ambient-upgrade.js', import.meta.url));
const RUN_ID = '20260825-101530-a1b2';
let bin: StandInBin | undefined;
let root: string;
let lines: string[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aus-cleanup-'));
  lines = [];
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await rm(root, { recursive: true, force: true });
});

async function kind(rules: readonly StandInRule[]): Promise<StandInBin> {
  bin = await createStandInBin({ kind: rules });
  return bin;
}
const log = (line: string) => lines.push(line);
const kindLines = async () => (await (bin as StandInBin).calls()).map((c) => c.argv.join(' '));

describe('cleanup', () => {
  it('--run deletes the kind cluster of that run', async () => {
    const b = await kind([{ match: ['get', 'clusters'], stdout: `aus-${RUN_ID}\nmine\n` }]);
    await cleanupRun({ runId: RUN_ID, runsRoot: root, env: b.env(), log });
    expect(await kindLines()).toEqual(['get clusters', `delete cluster --name aus-${RUN_ID}`]);
    expect(lines).toEqual([`deleted kind cluster aus-${RUN_ID}`]);
  });

  it('--run drives the engine the run recorded with the run kubeconfig, whatever KIND_EXPERIMENTAL_PROVIDER says now', async () => {
    await mkdir(join(root, RUN_ID));
    const record = (engine: string) =>
      JSON.stringify({
        runId: RUN_ID,
        provider: 'kind',
        clusterName: `aus-${RUN_ID}`,
        kubeconfigPath: join(root, RUN_ID, 'kubeconfig'),
        engine,
        startedAt: 'x',
      });
    const b = await kind([{ match: ['get', 'clusters'], stdout: `aus-${RUN_ID}\n` }]);
    await writeFile(join(root, RUN_ID, 'run.json'), record('docker'));
    await cleanupRun({
      runId: RUN_ID,
      runsRoot: root,
      env: b.env({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }),
      log,
    });
    await writeFile(join(root, RUN_ID, 'run.json'), record('podman'));
    await cleanupRun({ runId: RUN_ID, runsRoot: root, env: b.env(), log });
    expect((await b.calls()).map((c) => [c.kindProvider ?? 'docker (default)', ...c.argv].join(' '))).toEqual(
      [
        'docker (default) get clusters',
        `docker (default) delete cluster --name aus-${RUN_ID} --kubeconfig ${join(root, RUN_ID, 'kubeconfig')}`,
        'podman get clusters',
        `podman delete cluster --name aus-${RUN_ID} --kubeconfig ${join(root, RUN_ID, 'kubeconfig')}`,
      ],
    );
  });

  it('--run says so when the cluster is already gone, deleting nothing', async () => {
    const b = await kind([{ match: ['get', 'clusters'], stdout: '' }]);
    await cleanupRun({ runId: RUN_ID, runsRoot: root, env: b.env(), log });
    expect(await kindLines()).toEqual(['get clusters']);
    expect(lines).toEqual([`kind cluster aus-${RUN_ID} is already gone`]);
  });

  it('--run on a run recorded against an existing cluster refuses without --allow-cluster', async () => {
    const kubeconfig = join(root, 'kc');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: prod, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t0k3n}}]\n',
    );
    await mkdir(join(root, RUN_ID));
    await writeFile(
      join(root, RUN_ID, 'run.json'),
      JSON.stringify({
        runId: RUN_ID,
        provider: 'existing',
        clusterName: 'prod',
        kubeconfigPath: kubeconfig,
        context: 'prod',
        startedAt: 'x',
      }),
    );
    const b = await kind([]);
    await expect(cleanupRun({ runId: RUN_ID, runsRoot: root, env: b.env(), log })).rejects.toThrow(
      'refusing to modify existing cluster context "prod" — pass --allow-cluster prod',
    );
    expect(await kindLines()).toEqual([]);
  });

  it('rejects something that is not a run id before touching anything', async () => {
    const b = await kind([]);
    await expect(cleanupRun({ runId: '../../etc', runsRoot: root, env: b.env(), log })).rejects.toThrow(
      /is not a run id/,
    );
    expect(await kindLines()).toEqual([]);
  });

  it('--all deletes every aus-* kind cluster and nothing else', async () => {
    const b = await kind([{ match: ['get', 'clusters'], stdout: 'aus-1\nkind\naus-2\n' }]);
    expect(await cleanupAllKind({ env: b.env(), log })).toEqual(['aus-1', 'aus-2']);
    expect(await kindLines()).toEqual([
      'get clusters',
      'delete cluster --name aus-1',
      'delete cluster --name aus-2',
    ]);
  });

  it('needs kind on PATH', async () => {
    bin = await createStandInBin({});
    await expect(cleanupAllKind({ env: bin.env(), log })).rejects.toThrow(MISSING.kind);
  });

  it('the command needs exactly one of --run or --all (exit 2, one line)', async () => {
    bin = await createStandInBin({});
    const result = await execa(process.execPath, [CLI, 'cleanup'], {
      cwd: root,
      env: bin.env(),
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'ambient-upgrade: cleanup needs exactly one of --run <id> or --all — pass the run id printed by run, or --all',
    );
  }, 60_000);
});
