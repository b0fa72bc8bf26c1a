import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_FACTS } from '../../../clusters/facts.ts';
import { kwokBinaries, readKwokVersions } from '../../../clusters/kwok/binaries.ts';
import { KwokProvider } from '../../../clusters/kwok/provider.ts';
import { CONTROL_PLANE_ONLY } from '../../../helpers/capabilities.ts';
import { writeRunMeta } from '../../../helpers/report/recorder.ts';
import { writeSummary } from '../../../helpers/report/write-summary.ts';
import { parseVersion } from '../../../helpers/versions/index.ts';
import type { LaunchOptions } from '../../../suites/launch-contract.ts';
import { runMetaOf } from '../../../suites/run-meta.ts';

const versions = readKwokVersions();
const kwok = new KwokProvider({
  clusterName: 'aus-test',
  runDir: '/nonexistent/run',
  workers: 2,
  stages: 'fast',
  versions,
  binaries: kwokBinaries(versions, '/nonexistent/cache'),
});

function launchOptions(install: LaunchOptions['install']): LaunchOptions {
  return {
    runId: 'run-1',
    runDir: '/nonexistent/run',
    provider: 'kwok',
    capabilities: [...CONTROL_PLANE_ONLY],
    kubeconfigPath: '/nonexistent/kubeconfig',
    facts: NO_FACTS,
    scenarios: ['inplace'],
    workers: 2,
    operatorVersion: '1.30.3',
    allowSkew: false,
    reportsDir: '/nonexistent/reports',
    timeoutScale: 1,
    signal: new AbortController().signal,
    onCleanup: () => undefined,
    ...(install ? { install } : {}),
  };
}

const seen = {
  startedAt: '2026-12-01T23:00:00.000Z',
  kubernetesVersion: 'v1.34.4',
  nodeCount: 3,
  from: parseVersion('1.29.6'),
  to: parseVersion('1.30.3'),
};

const ADMISSION = /MutatingAdmissionWebhook, ValidatingAdmissionWebhook disabled/;

describe('run meta: the facts of the cluster reach the report', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('kwok says its webhook admission plugins are disabled', () => {
    const meta = runMetaOf(launchOptions(kwok.installSupport()), seen);
    expect(meta.notes?.some((n) => ADMISSION.test(n))).toBe(true);
    expect(meta).toMatchObject({
      cluster: { provider: 'kwok', kubernetesVersion: 'v1.34.4', nodeCount: 3 },
      istio: { from: 'v1.29.6', to: 'v1.30.3' },
    });
  });

  it('a provider without install support adds no notes', () => {
    expect(runMetaOf(launchOptions(undefined), seen).notes).toEqual([]);
  });

  it('shows the note in summary.json and on certification.html', async () => {
    dir = await mkdtemp(join(tmpdir(), 'aus-run-meta-'));
    await writeRunMeta(dir, runMetaOf(launchOptions(kwok.installSupport()), seen));
    const written = await writeSummary(dir, undefined, { now: () => new Date(seen.startedAt) });
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { notes: string[] };
    expect(summary.notes.some((n) => ADMISSION.test(n))).toBe(true);
    const page = await readFile(written.page, 'utf8');
    expect(page).toMatch(/Deviations and facts of this run/);
    expect(page).toMatch(ADMISSION);
  });
});
