import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fragmentPath } from '../../../helpers/report/recorder.ts';
import { FragmentRecord } from '../../../helpers/report/summary-schema.ts';
import { renderScenarioPlan } from '../../../suites/prepare.ts';
import { RUN_CONFIG_ENV, type RunConfig } from '../../../suites/run-config.ts';
import { unmetNeeds } from '../../../suites/runner/capability-gate.ts';
import { FakeApiServer } from '../../support/fake-apiserver.ts';
import { upstreamPath } from '../../support/upstream.ts';
import { node, runnerResources } from './fixtures.ts';

// The runner's not-run path end to end: the smoke suite in a vitest child, against the fake API server, on a
// cluster that declares no capabilities (as kwok does). It proves the gate and its reporting, not any scenario.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SPAWN_TIMEOUT = 180_000;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('AUS_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

let dir: string;
let fake: FakeApiServer;
let config: RunConfig;
let childOutput: string;
let records: FragmentRecord[];
let junit: string;
interface AllureNode {
  name?: string;
  status?: string;
  attachments?: { name: string; source: string }[];
  steps?: AllureNode[];
}
let allureResults: AllureNode[];
const attachmentsOf = (n: AllureNode): { name: string; source: string }[] => [
  ...(n.attachments ?? []),
  ...(n.steps ?? []).flatMap(attachmentsOf),
];
let allureDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-not-run-wiring-'));
  fake = await FakeApiServer.start(runnerResources);
  for (const n of [node('cp', { controlPlane: true }), node('w-a'), node('w-b')]) fake.put(n);
  const reportsDir = join(dir, 'reports');
  const cacheDir = join(dir, 'cache');
  await mkdir(cacheDir, { recursive: true });
  config = {
    runId: 'not-run-wiring',
    runDir: dir,
    kubeconfigPath: fake.kubeconfigPath,
    provider: 'existing',
    capabilities: [],
    openshift: false,
    scenarios: ['smoke'],
    from: 'v1.29.6',
    to: 'v1.30.3',
    workers: 2,
    operatorVersion: '1.30.3',
    manifestsDir: upstreamPath('istio', 'samples'),
    cacheDir,
    allowSkew: false,
    reportsDir,
    // The first Sail wait gives up at once against a fake that runs no operator: the steps after it are the point.
    timeoutScale: 0.0001,
  };
  const configFile = join(dir, 'run-config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const child = await execa('npx', ['vitest', 'run', '--project', 'e2e', 'suites/smoke.e2e.ts'], {
    cwd: ROOT,
    env: childEnv({ [RUN_CONFIG_ENV]: configFile, AUS_REPORTS_DIR: reportsDir }),
    extendEnv: false,
    reject: false,
    timeout: SPAWN_TIMEOUT,
  });
  childOutput = `${child.stdout}\n${child.stderr}`;
  const text = await readFile(fragmentPath(reportsDir, 'smoke'), 'utf8').catch(() => '');
  records = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => FragmentRecord.parse(JSON.parse(line)));
  junit = await readFile(join(reportsDir, 'junit.xml'), 'utf8').catch(() => '');
  allureDir = join(reportsDir, 'allure-results');
  const files = (await readdir(allureDir).catch(() => [])).filter((f) => f.endsWith('-result.json'));
  allureResults = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(allureDir, f), 'utf8'))),
  );
}, SPAWN_TIMEOUT + 30_000);

afterAll(async () => {
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a step whose needs the cluster lacks is reported not run, never passed, never dropped', () => {
  it('records each such step of the smoke plan as not-run with the missing capabilities', async () => {
    const full = await renderScenarioPlan('inplace', config);
    const smoke = full.steps.filter((s) => s.phase === 'setup' || s.phase === 'baseline');
    const gated = smoke.flatMap((s) => {
      const unmet = unmetNeeds(s, new Set());
      return unmet ? [{ check: `${s.id} ${s.name}`, unmet }] : [];
    });
    expect(gated.length).toBeGreaterThan(0);
    const checks = records.flatMap((r) => (r.kind === 'check' ? [r] : []));
    for (const { check, unmet } of gated) {
      const recorded = checks.filter((c) => c.check === check);
      expect(recorded, `${check}\n${childOutput}`).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ verdict: 'not-run', reason: unmet.reason, missing: unmet.missing });
    }
    // Only gated steps carry `missing`; the others ran (or were stopped by the failed wait), for their own reasons.
    const withMissing = checks.filter((c) => c.missing !== undefined).map((c) => c.check);
    expect(withMissing).toEqual(gated.map((g) => g.check));
    expect(
      checks.some((c) => c.verdict === 'fail'),
      childOutput,
    ).toBe(true);
  });

  it('shows the reason in JUnit: a skipped testcase with a not-run property naming the capability', () => {
    const cases = junit.split('<testcase').slice(1);
    const waypoint = cases.find((c) => c.includes('wait for waypoint bookinfo/waypoint to be Programmed'));
    expect(waypoint, junit.slice(0, 2000)).toBeDefined();
    expect(waypoint).toContain('<skipped/>');
    expect(waypoint).toContain('name="not-run" value="not run: istiod-controller missing"');
    const weights = cases.find((c) => c.includes('baseline: reviews splits 90/10'));
    expect(weights).toContain('value="not run: data-plane, istiod-controller missing"');
  });

  it('shows the reason in allure: the skipped test carries a "not run" attachment naming the capability', async () => {
    const result = allureResults.find((r) =>
      r.name?.includes('wait for waypoint bookinfo/waypoint to be Programmed'),
    );
    expect(result, childOutput).toBeDefined();
    expect(result?.status).toBe('skipped');
    const attachment = result && attachmentsOf(result).find((a) => a.name === 'not run');
    expect(attachment, JSON.stringify(result)).toBeDefined();
    const body = await readFile(join(allureDir, attachment?.source ?? 'missing'), 'utf8');
    expect(body).toBe('not run: istiod-controller missing');
  });
});
