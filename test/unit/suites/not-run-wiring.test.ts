import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FragmentRecord } from '../../../helpers/report/summary-schema.ts';
import { renderScenarioPlan } from '../../../suites/prepare.ts';
import type { RunConfig } from '../../../suites/run-config.ts';
import { unmetNeeds } from '../../../suites/runner/capability-gate.ts';
import { FakeApiServer } from '../../support/fake-apiserver.ts';
import { upstreamPath } from '../../support/upstream.ts';
import { node, runnerResources } from './fixtures.ts';
import { runSmokeChild, SPAWN_TIMEOUT } from './smoke-child.ts';

// The runner's not-run path end to end: the smoke suite in a vitest child, against the fake API server, on a
// cluster that declares no capabilities (as kwok does). It proves the gate and its reporting, not any scenario.

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
  const child = await runSmokeChild(dir, config);
  childOutput = child.output;
  records = child.records;
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
