import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const upstream = UPSTREAM_DIR;
const ISTIO_CRD = join(upstream, 'sail-operator/crds/sailoperator.io_istios.yaml');
const SAMPLES = join(upstream, 'istio/samples');

// Each test spawns the CLI (node + tsx): on a loaded machine that alone can pass the unit project's 20 s.
const SPAWNED_CLI_TIMEOUT_MS = 120_000;

async function cli(...args: string[]) {
  return execa('node', ['bin/ambient-upgrade.js', ...args], {
    cwd: root,
    reject: false,
    timeout: SPAWNED_CLI_TIMEOUT_MS,
  });
}

const base = [
  'plan',
  '--out',
  join(tmpdir(), 'aus-plan-never-written'),
  '--crd',
  ISTIO_CRD,
  '--manifests-dir',
  SAMPLES,
];

describe('ambient-upgrade plan: refusals are one clear line, exit 2, nothing written', {
  timeout: SPAWNED_CLI_TIMEOUT_MS,
}, () => {
  it.each([
    [
      ['--scenario', 'canary', '--from', '1.29.6', '--to', '1.30.3'],
      /^ambient-upgrade: unknown scenario "canary" — use one of: inplace, revision-based/,
    ],
    [
      ['--scenario', 'inplace', '--from', '1.3x', '--to', '1.30.3'],
      /^ambient-upgrade: "1\.3x" is not an Istio version — use 1\.30\.3/,
    ],
    [
      ['--scenario', 'inplace', '--from', '1.29.6', '--to', '1.30.9'],
      /^ambient-upgrade: --to v1\.30\.9 is not offered in this Sail operator's Istio CRD .* — pick one/,
    ],
    [
      ['--scenario', 'inplace', '--from', '1.28.10', '--to', '1.29.6'],
      /^ambient-upgrade: --from v1\.28\.10 is end-of-life/,
    ],
    [
      ['--scenario', 'revision-based', '--from', '1.28.10', '--to', '1.30.3'],
      /^ambient-upgrade: revision-based: after "upgrade Istio to v1\.30\.3": IstioCNI v1\.28\.10 is 2 minors behind .* — upgrade in two steps/,
    ],
    [
      ['--scenario', 'inplace', '--from', '1.30.3', '--to', '1.29.6'],
      /^ambient-upgrade: inplace: target v1\.29\.6 is older than v1\.30\.3: downgrades are not certified — /,
    ],
    [
      ['--scenario', 'inplace', '--to', '1.30.3'],
      /^ambient-upgrade: --from is required — e\.g\. --from 1\.29\.6/,
    ],
    [
      // Node's recursive mkdir spins at 100 % CPU under /proc; this must fail at once.
      ['--scenario', 'inplace', '--from', '1.29.6', '--to', '1.30.3', '--out', '/proc/x'],
      /^ambient-upgrade: --out \/proc\/x: cannot create \/proc\/x \(ENOENT, .*\) — pass a writable folder$/,
    ],
  ])('%j', async (args, message) => {
    const result = await cli(...base, ...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });
});

describe('ambient-upgrade plan and versions', { timeout: SPAWNED_CLI_TIMEOUT_MS }, () => {
  it('writes a plan and summarises it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'aus-plan-cli-'));
    const result = await cli(
      'plan',
      '--scenario',
      'inplace',
      '--from',
      '1.29.6',
      '--to',
      '1.30.3',
      '--out',
      out,
      '--crd',
      ISTIO_CRD,
      '--manifests-dir',
      SAMPLES,
      '--crds-dir',
      upstream,
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^plan inplace: v1\.29\.6 → v1\.30\.3 \(InPlace, 2 workers\)/);
    expect(result.stdout).toContain('all objects valid against the CRD schemas');
    const files = await readdir(out);
    expect(files).toContain('plan.json');
    expect(files.filter((name) => /^\d{3}-.*\.yaml$/.test(name)).length).toBeGreaterThan(5);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8')) as {
      scenario: string;
      steps: { action: string }[];
    };
    expect(plan.scenario).toBe('inplace');
    // The probe bundle is the real one, not a placeholder.
    const clients = await readFile(
      join(out, files.find((name) => name.includes('probe-clients')) ?? 'missing'),
      'utf8',
    );
    expect(clients).toContain('probe.mjs');
    expect(clients.length).toBeGreaterThan(10_000);
    expect(files.filter((name) => name.endsWith('.patch.yaml'))).toHaveLength(3);
  }, 120_000);

  it('plans smoke like run runs it: the setup and baseline of inplace, no upgrade', async () => {
    const out = await mkdtemp(join(tmpdir(), 'aus-plan-smoke-'));
    const result = await cli(
      ...['plan', '--scenario', 'smoke', '--from', '1.29.6', '--to', '1.30.3', '--out', out],
      ...['--crd', ISTIO_CRD, '--manifests-dir', SAMPLES, '--crds-dir', upstream],
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^plan smoke \(setup and baseline of inplace\): v1\.29\.6, 2 workers/);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8')) as {
      steps: { action: string; phase: string }[];
    };
    expect(new Set(plan.steps.map((step) => step.phase))).toEqual(new Set(['setup', 'baseline']));
    expect(plan.steps.some((step) => step.action === 'upgrade')).toBe(false);
  }, 120_000);

  it('--version prints the package version', async () => {
    const result = await cli('--version');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('lists versions and default paths from a CRD file', async () => {
    const result = await cli('versions', '--crd', ISTIO_CRD);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('  1.30: v1.30.3 v1.30.2 v1.30.1 v1.30.0');
    expect(result.stdout).toContain('  minor: --from v1.29.6 --to v1.30.3');
    expect(result.stdout).toContain('  patch: --from v1.30.2 --to v1.30.3');
    expect(result.stdout).toContain('master');
  });

  it.each(['plan', 'versions'])('%s --help describes the flags', async (command) => {
    const result = await cli(command, '--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('--crd <file>');
    expect(result.stdout).toMatch(
      /Offline: with --.* nothing is fetched, so \w+ works on a machine without\s+network/,
    );
  });
});
