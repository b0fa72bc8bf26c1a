import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderPlan } from '../../../helpers/plan/render.ts';
import type { Plan } from '../../../helpers/plan/types.ts';
import { STEP_ACTIONS } from '../../../helpers/plan/types.ts';
import { upgradePatchFile } from '../../../helpers/plan/upgrade-patch.ts';
import { writePlan } from '../../../helpers/plan/write.ts';
import { renderInput } from './fixtures.ts';

let plan: Plan;
let dir: string;
let written: string[];
beforeAll(async () => {
  plan = renderPlan('revision-based', await renderInput());
  dir = await mkdtemp(join(tmpdir(), 'aus-plan-'));
  await writeFile(join(dir, '990-stale-from-an-earlier-plan.yaml'), 'kind: Stale\n');
  await writeFile(join(dir, 'notes.txt'), 'kept');
  written = await writePlan(plan, dir);
});

describe('writePlan', () => {
  it('writes one YAML file per apply step in apply order, plan.json last, and removes stale step files', async () => {
    const filed = plan.steps.flatMap((step) =>
      step.action === 'apply' ? [step.file] : step.action === 'upgrade' ? [upgradePatchFile(step)] : [],
    );
    expect(written.map((path) => path.slice(dir.length + 1))).toEqual([...filed, 'plan.json']);
    expect(filed.filter((name) => name.endsWith('.patch.yaml')).length).toBeGreaterThan(0);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([...written.map((path) => path.slice(dir.length + 1)), 'notes.txt'].sort());
    const yamlFiles = files.filter((name) => name.endsWith('.yaml'));
    // Files are named by their step's position: the first is the first apply step (after the node labels).
    const first = plan.steps.find((step) => step.action === 'apply');
    expect(first && yamlFiles[0]).toBe(first?.action === 'apply' ? first.file : '');
    expect(yamlFiles[0]?.startsWith(`${first?.id}-`)).toBe(true);
  });

  it('writes complete objects, one document each, equal to the plan', async () => {
    for (const step of plan.steps) {
      if (step.action !== 'apply') continue;
      const docs = parseAllDocuments(await readFile(join(dir, step.file), 'utf8')).map(
        (doc) => doc.toJS() as unknown,
      );
      expect(docs).toEqual(step.objects);
    }
  });

  it('writes each upgrade patch, exactly what the runner sends, beside the applied objects', async () => {
    const upgrades = plan.steps.filter((step) => step.action === 'upgrade');
    expect(upgrades.length).toBeGreaterThan(0);
    for (const step of upgrades) {
      const text = await readFile(join(dir, upgradePatchFile(step)), 'utf8');
      expect(parse(text)).toEqual({ spec: { ...(step.spec ?? {}), version: step.version } });
      expect(text).toContain(
        `kubectl patch ${step.target.kind.toLowerCase()}.sailoperator.io ${step.target.name}`,
      );
    }
  });

  it('writes plan.json with scenario, versions and steps as the contract says', async () => {
    const json = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({
      scenario: 'revision-based',
      from: 'v1.29.6',
      to: 'v1.30.3',
      strategy: 'RevisionBased',
    });
    const steps = json.steps as Record<string, unknown>[];
    expect(steps).toHaveLength(plan.steps.length);
    for (const [index, step] of steps.entries()) {
      const source = plan.steps[index];
      expect(step.name).toBe(source?.name);
      expect(STEP_ACTIONS).toContain(step.action);
      expect(Array.isArray(step.objects)).toBe(true);
      for (const ref of step.objects as Record<string, unknown>[]) {
        expect(Object.keys(ref).sort()).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'name']));
        expect(
          Object.keys(ref).every((key) => ['apiVersion', 'kind', 'name', 'namespace'].includes(key)),
        ).toBe(true);
      }
      if (step.action === 'apply')
        expect(step.file).toBe(source?.action === 'apply' ? source.file : undefined);
      else expect(step.file).toBeUndefined();
      if (step.action === 'upgrade') {
        expect(step.version).toBe('v1.30.3');
        expect(step.objects).toEqual([
          expect.objectContaining({ kind: expect.stringMatching(/^(Istio|IstioCNI|ZTunnel)$/) }),
        ]);
      }
    }
  });

  it('refuses an unwritable folder in one line', async () => {
    // A path under a regular file cannot be a folder.
    await expect(writePlan(plan, join(dir, 'notes.txt', 'plan'))).rejects.toThrow(
      /cannot write the plan to .* — pass a writable --out directory/,
    );
  });
});
