import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DOCUMENTED_COMMANDS,
  loadWorkflows,
  reportStepsWithoutAlways,
  schemaProblems,
  shellCommands,
  undocumentedCommands,
  unknownInputRefs,
  unknownMatrixRefs,
  unpinnedActions,
  uploadsWithoutAlways,
  type Workflow,
} from './workflow-lint.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const workflows = loadWorkflows(join(root, '.github', 'workflows'));

describe('the workflows', () => {
  it('are the three the project documents', () => {
    expect(workflows.map((w) => w.file)).toEqual(['ci.yml', 'nightly.yml', 'prerelease.yml']);
  });

  describe.each(workflows.map((w) => [w.file, w] as const))('%s', (_file, w) => {
    const wf = w.doc as Workflow;

    it('is a valid workflow (schema subset, unknown keys rejected)', () => {
      expect(schemaProblems(w.doc)).toEqual([]);
    });

    it('pins every action to a version tag or commit SHA', () => {
      expect(unpinnedActions(wf)).toEqual([]);
    });

    it('invokes the project only through documented commands', () => {
      expect(undocumentedCommands(wf)).toEqual([]);
    });

    it('references only matrix keys and inputs that exist', () => {
      expect([...unknownMatrixRefs(wf), ...unknownInputRefs(wf)]).toEqual([]);
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

// The linter must be able to fail: each check, fed a broken workflow, reports the problem.
describe('the workflow linter', () => {
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

  it('rejects unknown keys and a step with both uses and run', () => {
    const problems = schemaProblems(bad);
    expect(problems).toContain('(root): must NOT have additional properties (colour)');
    expect(problems.some((p) => p.startsWith('/jobs/build/steps/1'))).toBe(true);
  });

  it('rejects an action pinned to a branch', () => {
    expect(unpinnedActions(bad)).toEqual([
      'build: actions/checkout@main is not pinned to a version tag or commit SHA',
    ]);
  });

  it('rejects undocumented project commands', () => {
    expect(undocumentedCommands(bad).map((p) => p.split('"')[1])).toEqual(['npm install', 'npx vitest run']);
  });

  it('rejects unknown matrix keys and inputs', () => {
    expect(unknownMatrixRefs(bad)).toEqual(['build: matrix.versoin is not in the matrix']);
    expect(unknownInputRefs(bad)).toEqual(['inputs.hub is not a declared input']);
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
