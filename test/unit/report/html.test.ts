import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { report } from '../../../cli/commands/report.ts';
import { UserError } from '../../../helpers/errors.ts';
import { hasAllureResults, mentionsAnalytics, stripAnalytics } from '../../../helpers/report/html.ts';
import { recordSkip } from '../../../helpers/report/recorder.ts';
import { recordingSink, tempReportsDir } from './fixtures.ts';

const TEMPLATE_TAIL = `<script src="data:text/javascript;base64,AAAA"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', { "report": "awesome" });
    </script>
    <script async>
      window.allureReportDataReady = false;
    </script>`;

describe('stripAnalytics', () => {
  it('removes the loader and the inline gtag block and keeps the report’s own scripts', () => {
    const { html, removed } = stripAnalytics(TEMPLATE_TAIL);
    expect(removed).toBe(2);
    expect(mentionsAnalytics(html)).toBe(false);
    expect(html).toContain('data:text/javascript;base64,AAAA');
    expect(html).toContain('window.allureReportDataReady = false;');
  });

  it('leaves a page without analytics unchanged', () => {
    expect(stripAnalytics('<html><script>x()</script></html>')).toEqual({
      html: '<html><script>x()</script></html>',
      removed: 0,
    });
  });
});

/** A tiny but real allure-results folder: one passed test with a named step and an SVG attachment. */
async function writeAllureResults(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const uuid = '0b8f8c2e-4a5b-4c3d-9e1f-123456789abc';
  await writeFile(join(dir, 'figure-attachment.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(
    join(dir, `${uuid}-result.json`),
    JSON.stringify({
      uuid,
      name: 'inplace upgrade keeps traffic',
      fullName: 'suites/inplace.e2e.ts#inplace upgrade keeps traffic',
      historyId: 'inplace-1',
      status: 'passed',
      stage: 'finished',
      start: 1_764_064_800_000,
      stop: 1_764_064_805_000,
      labels: [{ name: 'suite', value: 'inplace' }],
      steps: [
        {
          name: '030 wait: Istio ready',
          status: 'passed',
          stage: 'finished',
          start: 1_764_064_800_000,
          stop: 1_764_064_801_000,
          steps: [],
          attachments: [{ name: 'timeline', source: 'figure-attachment.svg', type: 'image/svg+xml' }],
          parameters: [],
        },
      ],
      attachments: [],
      parameters: [],
      links: [],
    }),
  );
}

describe('ambient-upgrade report', () => {
  it('builds summary.md/json and one self-contained HTML file with no analytics', async () => {
    const reportsDir = await tempReportsDir();
    await writeAllureResults(join(reportsDir, 'allure-results'));
    await recordSkip('revision', 'needs Istio 1.27+', { reportsDir, sink: recordingSink() });
    const lines: string[] = [];

    const outcome = await report({ reportsDir }, (l) => lines.push(l));

    expect(outcome.html).toBe(join(reportsDir, 'html', 'index.html'));
    expect((await readdir(join(reportsDir, 'html'))).filter((n) => n.endsWith('.html'))).toEqual([
      'index.html',
    ]);
    const html = await readFile(outcome.html ?? '', 'utf8');
    expect(html.startsWith('<!DOCTYPE html>') || html.startsWith('<!doctype html>')).toBe(true);
    expect(mentionsAnalytics(html)).toBe(false);
    // Single file: no script or stylesheet is loaded from a relative path next to it.
    expect(html).not.toMatch(/<script[^>]+src="(?!data:)[^"]+"/);
    expect(outcome.verdict).toBe('incomplete');
    expect(await readFile(join(reportsDir, 'summary.md'), 'utf8')).toContain('needs Istio 1.27+');
    expect(lines.find((l) => l.startsWith('allure:'))).toContain('index.html');
    // The certification page is named first and, once the drill-down exists, links it relatively.
    expect(lines.findIndex((l) => l.startsWith('page:'))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('summary:')),
    );
    expect(outcome.page).toBe(join(reportsDir, 'certification.html'));
    expect(await readFile(outcome.page, 'utf8')).toContain('href="html/index.html"');
  });

  it('with no allure results: still writes the summary, then says in one line how to produce results', async () => {
    const reportsDir = await tempReportsDir();
    await recordSkip('inplace', 'no cluster', { reportsDir, sink: recordingSink() });
    const error = await report({ reportsDir }, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/npm test.*npx ambient-upgrade run/);
    expect(await hasAllureResults(join(reportsDir, 'allure-results'))).toBe(false);
    expect(await readFile(join(reportsDir, 'summary.md'), 'utf8')).toContain('no cluster');
  });
});
