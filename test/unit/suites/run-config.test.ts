import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NO_CLUSTER_REASON,
  RUN_CONFIG_ENV,
  type RunConfig,
  readRunConfig,
  scenarioSkipReason,
} from '../../../suites/run-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-run-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const valid = (): RunConfig => ({
  runId: 'r-1234',
  runDir: '/tmp/run',
  kubeconfigPath: '/tmp/run/kubeconfig',
  provider: 'kind',
  capabilities: ['data-plane', 'istiod-controller'],
  openshift: false,
  scenarios: ['inplace', 'ztunnel-rolling'],
  from: 'v1.29.2',
  to: 'v1.30.3',
  workers: 2,
  operatorVersion: '1.30.0',
  cacheDir: '/tmp/cache',
  allowSkew: false,
  reportsDir: '/tmp/reports',
  timeoutScale: 1,
});

async function configFile(content: string): Promise<string> {
  const file = join(dir, 'run-config.json');
  await writeFile(file, content);
  return file;
}

describe('readRunConfig', () => {
  it('without the environment variable there is no cluster, and the reason says how to get one', () => {
    const result = readRunConfig({});
    expect(result).toEqual({ ok: false, reason: NO_CLUSTER_REASON });
    expect(NO_CLUSTER_REASON).toContain('npx ambient-upgrade run');
  });

  it('an unreadable file is a skip reason naming the file', () => {
    const missing = join(dir, 'nope.json');
    const result = readRunConfig({ [RUN_CONFIG_ENV]: missing });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`run config ${missing} is unreadable`);
    expect(result.reason).toContain('rerun ambient-upgrade run');
  });

  it('a file that is not JSON is unreadable, not a crash', async () => {
    const file = await configFile('{ not json');
    const result = readRunConfig({ [RUN_CONFIG_ENV]: file });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/is unreadable \(.+\)/);
  });

  it('an invalid shape names the field at fault', async () => {
    const file = await configFile(JSON.stringify({ ...valid(), workers: 1 }));
    const result = readRunConfig({ [RUN_CONFIG_ENV]: file });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(new RegExp(`run config ${file} is invalid at workers: `));
  });

  it('a missing nested field is named too', async () => {
    const { provider: _dropped, ...rest } = valid();
    const file = await configFile(JSON.stringify(rest));
    const result = readRunConfig({ [RUN_CONFIG_ENV]: file });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('is invalid at provider:');
  });

  it('a valid config is returned as parsed', async () => {
    const config = { ...valid(), context: 'kind-aus', manifestsDir: '/tmp/m' };
    const file = await configFile(JSON.stringify(config));
    expect(readRunConfig({ [RUN_CONFIG_ENV]: file })).toEqual({ ok: true, config });
  });
});

describe('scenarioSkipReason', () => {
  it('passes on the missing-cluster reason', () => {
    expect(scenarioSkipReason({ ok: false, reason: NO_CLUSTER_REASON }, 'inplace')).toBe(NO_CLUSTER_REASON);
  });

  it('skips a scenario the run did not select, listing the selected ones', () => {
    expect(scenarioSkipReason({ ok: true, config: valid() }, 'revision-based')).toBe(
      'not selected in this run (--scenario inplace, ztunnel-rolling)',
    );
  });

  it('runs a selected scenario', () => {
    expect(scenarioSkipReason({ ok: true, config: valid() }, 'ztunnel-rolling')).toBeUndefined();
  });
});
