import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTIONLINT_INSTALL, actionlint, findActionlint, findShellcheck } from './actionlint.ts';
import {
  DOCUMENTED_COMMANDS,
  loadWorkflows,
  reportStepsWithoutAlways,
  shellCommands,
  undocumentedCommands,
  unpinnedActions,
  uploadsWithoutAlways,
  type Workflow,
} from './workflow-lint.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
const workflows = loadWorkflows(workflowsDir);

// In CI (.ci/run sets AUS_ACTIONLINT after building it) a missing tool fails; elsewhere it is a skip with the fix.
let linter: string | undefined;
let shellcheck: string | undefined;
let missing: string | undefined;
beforeAll(async () => {
  linter = await findActionlint();
  shellcheck = await findShellcheck();
  if (process.env.AUS_ACTIONLINT && !existsSync(process.env.AUS_ACTIONLINT))
    throw new Error(`AUS_ACTIONLINT=${process.env.AUS_ACTIONLINT} does not exist — ${ACTIONLINT_INSTALL}`);
  if (!linter) missing = `actionlint not installed — ${ACTIONLINT_INSTALL}`;
  else if (!shellcheck)
    missing = 'shellcheck not installed (apt-get install shellcheck) — run: scripts unchecked';
  if (process.env.AUS_ACTIONLINT && missing) throw new Error(missing);
});

const BAD_FOR_ACTIONLINT = `name: bad
on:
  push:
colour: blue
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        version: [1.29.6]
    steps:
      - uses: actions/setup-node@v4.4.0
        run: echo both
      - run: echo $1
      - run: npx ambient-upgrade run --from \${{ matrix.versoin }}
`;

describe('actionlint', () => {
  it('finds no problem in the workflows (syntax, expressions, matrix keys, inputs, shellcheck of run: steps)', async ({
    skip,
  }) => {
    if (missing || !linter) return skip(missing);
    const files = workflows.map((w) => join(workflowsDir, w.file));
    expect(await actionlint(linter, shellcheck, files)).toEqual([]);
  });

  it('can fail: reports an unknown key, a step with uses and run, an unquoted $1 and a matrix typo', async ({
    skip,
  }) => {
    if (missing || !linter) return skip(missing);
    const file = join(await mkdtemp(join(tmpdir(), 'aus-actionlint-')), 'bad.yml');
    await writeFile(file, BAD_FOR_ACTIONLINT);
    const problems = await actionlint(linter, shellcheck, [file]);
    const found = problems.map((p) => `${p.kind}:${p.line}`);
    expect(found).toEqual(
      expect.arrayContaining(['syntax-check:4', 'syntax-check:12', 'shellcheck:14', 'expression:15']),
    );
    expect(problems.find((p) => p.kind === 'expression')?.message).toContain('"versoin" is not defined');
  });
});

describe('the workflows', () => {
  it('are the three the project documents', () => {
    expect(workflows.map((w) => w.file)).toEqual(['ci.yml', 'nightly.yml', 'prerelease.yml']);
  });

  describe.each(workflows.map((w) => [w.file, w] as const))('%s', (_file, w) => {
    const wf = w.doc as Workflow;

    it('pins every action to a version tag or commit SHA', () => {
      expect(unpinnedActions(wf)).toEqual([]);
    });

    it('invokes the project only through documented commands', () => {
      expect(undocumentedCommands(wf)).toEqual([]);
    });

    it('builds and uploads the report even when the run failed', () => {
      expect([...uploadsWithoutAlways(wf), ...reportStepsWithoutAlways(wf)]).toEqual([]);
      const uploads = Object.values(wf.jobs).flatMap((j) =>
        j.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')),
      );
      expect(uploads.length).toBeGreaterThan(0);
      for (const u of uploads)
        expect(String(u.with?.path)).toMatch(/reports\/junit\.xml[\s\S]*reports\/summary\.md/);
    });

    it('never splices a dispatch input into a shell script (inputs go through env)', () => {
      const scripts = Object.values(wf.jobs).flatMap((j) =>
        j.steps.flatMap((s) => (s.run === undefined ? [] : [s.run])),
      );
      for (const s of scripts) expect(s).not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
    });
  });

  it('nightly covers every upgrade path the suite certifies, each with its own report artifact', () => {
    const nightly = workflows.find((w) => w.file === 'nightly.yml')?.doc as Workflow;
    const include = (nightly.jobs.certify?.strategy?.matrix?.include ?? []) as Record<string, string>[];
    expect(include.map((e) => e.path)).toEqual([
      'inplace-patch',
      'inplace-minor',
      'revision-based-minor',
      'ztunnel-rolling',
      'ztunnel-node-drain',
      'cross-namespace-waypoint',
    ]);
    for (const e of include) expect(Object.keys(e).sort()).toEqual(['from', 'path', 'scenario', 'to']);
  });

  it('prerelease takes the candidate build and the scenario selection as inputs', () => {
    const pre = workflows.find((w) => w.file === 'prerelease.yml')?.doc as Workflow;
    const dispatch = pre.on.workflow_dispatch as { inputs: Record<string, { default?: string }> };
    expect(Object.keys(dispatch.inputs).sort()).toEqual([
      'from',
      'hub',
      'operator_version',
      'scenarios',
      'tag',
      'to',
    ]);
    expect(dispatch.inputs.scenarios?.default).toBe('all');
  });

  it.runIf(existsSync(join(root, 'README.md')))(
    'documents every command the workflows may use in the README',
    () => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      expect(DOCUMENTED_COMMANDS.filter((c) => !readme.includes(c))).toEqual([]);
    },
  );
});

// The project's checks must be able to fail: each, fed a broken workflow, reports the problem.
describe('the project workflow checks', () => {
  const bad = parse(`
name: bad
on:
  push:
  workflow_dispatch:
    inputs:
      tag: { description: image tag, type: string }
colour: blue
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        version: [1.29.6]
    steps:
      - uses: actions/checkout@main
      - uses: actions/setup-node@v4.4.0
        run: echo both
      - run: npm install && npx vitest run
      - run: npx ambient-upgrade run --from \${{ matrix.versoin }} --tag \${{ inputs.hub }}
      - uses: actions/upload-artifact@v4.6.2
        with: { path: reports }
`) as Workflow;

  it('rejects an action pinned to a branch', () => {
    expect(unpinnedActions(bad)).toEqual([
      'build: actions/checkout@main is not pinned to a version tag or commit SHA',
    ]);
  });

  it('rejects undocumented project commands', () => {
    expect(undocumentedCommands(bad).map((p) => p.split('"')[1])).toEqual(['npm install', 'npx vitest run']);
  });

  it('rejects an upload that would be skipped after a failure', () => {
    expect(uploadsWithoutAlways(bad)).toHaveLength(1);
  });

  it('splits scripts into commands the way a shell would read them', () => {
    expect(
      shellCommands(
        'npm ci && npm test # comment\nif [ -f x ]; then npx ambient-upgrade report \\\n --open; fi',
      ),
    ).toEqual(['npm ci', 'npm test', 'if [ -f x ]', 'npx ambient-upgrade report   --open', 'fi']);
  });
});
