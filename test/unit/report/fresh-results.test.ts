import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearRunOutputs } from '../../../helpers/report/fresh-reports.ts';
import { isScenarioResult, specPathOf, stageScenarioResults } from '../../../helpers/report/html.ts';
import { reportPaths } from '../../../helpers/report/paths.ts';
import { tempReportsDir } from './fixtures.ts';

async function fill(reportsDir: string): Promise<void> {
  const p = reportPaths(reportsDir);
  await mkdir(p.allureResults, { recursive: true });
  await mkdir(p.summaryParts, { recursive: true });
  await mkdir(p.figures, { recursive: true });
  await mkdir(p.html, { recursive: true });
  await writeFile(join(p.allureResults, 'old-result.json'), '{}');
  await writeFile(join(p.summaryParts, 'inplace.jsonl'), '{}\n');
  await writeFile(p.runMeta, '{}');
  await writeFile(join(p.figures, 'x.svg'), '<svg/>');
  await writeFile(join(p.html, 'index.html'), '<html>');
  for (const f of [p.junit, p.summaryJson, p.summaryMd, p.certification]) await writeFile(f, 'old');
  await writeFile(join(reportsDir, 'README.md'), 'keep me');
}

describe('a fresh reports folder per run', () => {
  it('removes everything an earlier run wrote, keeps files it does not own', async () => {
    const dir = await tempReportsDir();
    await fill(dir);
    clearRunOutputs({ reportsDir: dir, keepRunMeta: false });
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'summary-parts']);
    expect(await readdir(reportPaths(dir).summaryParts)).toEqual([]);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('keep me');
  });

  it('keeps the run metadata `run` wrote just before starting vitest', async () => {
    const dir = await tempReportsDir();
    await fill(dir);
    clearRunOutputs({ reportsDir: dir, keepRunMeta: true });
    expect(await readdir(reportPaths(dir).summaryParts)).toEqual(['_run.json']);
  });

  it('is a no-op on a folder that does not exist yet', async () => {
    const dir = await tempReportsDir();
    expect(() => clearRunOutputs({ reportsDir: join(dir, 'nope'), keepRunMeta: false })).not.toThrow();
  });
});

describe('the allure drill-down shows the scenario suites only', () => {
  const result = (fullName: string) => ({ fullName, name: 'x' });

  it('reads the spec path from allure-vitest’s fullName, with or without the root name', () => {
    expect(specPathOf(result('ambient-upgrade-suite:suites/inplace.e2e.ts#inplace > 010 apply'))).toBe(
      'suites/inplace.e2e.ts',
    );
    expect(specPathOf(result('suites/smoke.e2e.ts#x'))).toBe('suites/smoke.e2e.ts');
    expect(specPathOf({})).toBeUndefined();
  });

  it('keeps scenario results and leaves out unit, contract and integration tests', () => {
    expect(isScenarioResult(result('aus:suites/inplace.e2e.ts#t'))).toBe(true);
    expect(isScenarioResult(result('aus:test/unit/report/html.test.ts#t'))).toBe(false);
    expect(isScenarioResult(result('aus:test/integration/probes/x.test.ts#t'))).toBe(false);
    expect(isScenarioResult('not json')).toBe(false);
  });

  it('stages scenario results with every container and attachment, nothing else', async () => {
    const dir = await tempReportsDir();
    const from = join(dir, 'in');
    const to = join(dir, 'out');
    await mkdir(from);
    await writeFile(join(from, 'a-result.json'), JSON.stringify(result('aus:suites/inplace.e2e.ts#t')));
    await writeFile(join(from, 'b-result.json'), JSON.stringify(result('aus:test/unit/x.test.ts#t')));
    await writeFile(join(from, 'c-result.json'), '{broken');
    await writeFile(join(from, 'd-container.json'), '{}');
    await writeFile(join(from, 'e-attachment.svg'), '<svg/>');
    expect(await stageScenarioResults(from, to)).toEqual({ kept: 1, left: 2 });
    expect((await readdir(to)).sort()).toEqual(['a-result.json', 'd-container.json', 'e-attachment.svg']);
  });
});
