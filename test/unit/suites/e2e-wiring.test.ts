import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FragmentRecord } from '../../../helpers/report/summary-schema.ts';
import { renderScenarioPlan } from '../../../suites/prepare.ts';
import type { RunConfig } from '../../../suites/run-config.ts';
import { checkName } from '../../../suites/runner/sequence.ts';
import { upstreamPath } from '../../support/upstream.ts';
import { runSmokeChild, SPAWN_TIMEOUT } from './smoke-child.ts';

// Proves only that a run config reaches the e2e suites and that an unreachable cluster is reported honestly.
// It says nothing about whether any scenario works on a real cluster.

const SAMPLES = upstreamPath('istio', 'samples');

/** A local port nothing listens on: bound, read, then closed, so a connection to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was bound');
  return address.port;
}

let dir: string;
let config: RunConfig;
let exitCode: number | undefined;
let childOutput: string;
let records: FragmentRecord[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-e2e-wiring-'));
  const reportsDir = join(dir, 'reports');
  const cacheDir = join(dir, 'cache');
  await mkdir(cacheDir, { recursive: true });
  const port = await closedPort();
  const kubeconfigPath = join(dir, 'refused.kubeconfig');
  await writeFile(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
current-context: refused
clusters: [{ name: refused, cluster: { server: "https://127.0.0.1:${port}" } }]
contexts: [{ name: refused, context: { cluster: refused, user: nobody } }]
users: [{ name: nobody, user: { token: not-a-real-token } }]
`,
  );
  config = {
    runId: 'e2e-wiring',
    runDir: dir,
    kubeconfigPath,
    provider: 'existing',
    capabilities: ['data-plane', 'istiod-controller'],
    openshift: false,
    scenarios: ['smoke'],
    from: 'v1.29.6',
    to: 'v1.30.3',
    workers: 2,
    operatorVersion: '1.30.0',
    manifestsDir: SAMPLES,
    cacheDir,
    allowSkew: false,
    reportsDir,
    timeoutScale: 1,
  };
  const child = await runSmokeChild(dir, config);
  exitCode = child.exitCode;
  childOutput = child.output;
  records = child.records;
}, SPAWN_TIMEOUT + 30_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('e2e wiring with an unreachable API: every step is reported not run, none passed', () => {
  it('proves wiring only: the smoke suite fails its setup (vitest exits non-zero)', () => {
    expect(exitCode, childOutput).toBeTypeOf('number');
    expect(exitCode, childOutput).not.toBe(0);
  });

  it('records the planned checks of the smoke plan (its wait/probe steps) at start', async () => {
    const full = await renderScenarioPlan('inplace', config);
    // smoke.e2e.ts runs the setup and baseline phases of the inplace plan.
    const expected = full.steps
      .filter((s) => s.phase === 'setup' || s.phase === 'baseline')
      .map(checkName)
      .filter((c): c is string => c !== undefined);
    expect(expected.length).toBeGreaterThan(0);
    const starts = records.filter((r) => r.kind === 'start');
    expect(starts, childOutput).toHaveLength(1);
    expect(starts[0]?.kind === 'start' ? starts[0].plannedChecks : []).toEqual(expected);
  });

  it('records an error naming the refused connection', () => {
    const errors = records.flatMap((r) => (r.kind === 'error' ? [r.message] : []));
    expect(errors, childOutput).toHaveLength(1);
    expect(errors[0]).toMatch(/ECONNREFUSED/);
    expect(errors[0]).toContain('127.0.0.1');
  });

  it('records every planned check as not-run because the scenario could not be opened, none as pass', () => {
    const planned = records.flatMap((r) => (r.kind === 'start' ? r.plannedChecks : []));
    const checks = records.flatMap((r) => (r.kind === 'check' ? [r] : []));
    expect(planned.length, childOutput).toBeGreaterThan(0);
    expect(checks.map((c) => c.check)).toEqual(planned);
    for (const check of checks) {
      expect(check.verdict, check.check).toBe('not-run');
      expect(check.reason, check.check).toMatch(/could not be opened/);
    }
    expect(checks.filter((c) => c.verdict === 'pass')).toEqual([]);
    expect(records.filter((r) => r.kind === 'step')).toEqual([]);
  });
});
