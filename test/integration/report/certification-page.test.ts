import { cp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHtmlReport } from '../../../helpers/report/html.ts';
import { writeSummary } from '../../../helpers/report/write-summary.ts';
import { FIXTURES, type FixtureName } from '../../fixtures/report/record.ts';
import { tempReportsDir } from '../../unit/report/fixtures.ts';
import { chromiumMissing, launchChromium, type OpenedBrowser, recordingPage } from './chromium.ts';

const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'report');

/** What each recorded fixture must show as its verdict, and one line of its reasons. */
const EXPECTED: Record<FixtureName, { verdict: string; reason: RegExp }> = {
  certified: { verdict: 'CERTIFIED', reason: /every check of every selected scenario ran and passed/ },
  'not-certified': { verdict: 'NOT CERTIFIED', reason: /c2 reset at \+31 s/ },
  incomplete: { verdict: 'INCOMPLETE', reason: /revision-based skipped/ },
  'control-plane-only': { verdict: 'CONTROL PLANE ONLY', reason: /data-plane missing/ },
  'not-opened': { verdict: 'NOT CERTIFIED', reason: /ztunnel-node-drain errored: timed out after 600s/ },
};

/** A page this size or smaller opens at once from a CI artifact; the fixtures carry three pictures each. */
const MAX_PAGE_BYTES = 400_000;
/** Bound on how long the verdict may take to appear (a bound, not a measurement: bench/report-page does that). */
const VERDICT_BOUND_MS = 10_000;

async function renderFixture(name: FixtureName): Promise<string> {
  const dir = await tempReportsDir();
  await cp(join(FIXTURE_DIR, name), dir, { recursive: true });
  const written = await writeSummary(dir, undefined, { now: () => new Date('2026-11-30T22:00:00.000Z') });
  return written.page;
}

const missing = await chromiumMissing();

describe.skipIf(missing !== undefined)(
  `certification page in headless Chromium${missing ? ` (${missing})` : ''}`,
  () => {
    let opened: OpenedBrowser;
    beforeAll(async () => {
      opened = await launchChromium();
    });
    afterAll(async () => {
      await opened?.close();
    });

    for (const name of FIXTURES) {
      it(`${name}: shows its verdict first, within a size bound, requesting only file: and data: URLs`, async () => {
        const file = await renderFixture(name);
        expect((await stat(file)).size).toBeLessThan(MAX_PAGE_BYTES);
        const { page, requested } = await recordingPage(opened.browser);
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        const verdict = page.locator('#verdict .word');
        await verdict.waitFor({ state: 'visible', timeout: VERDICT_BOUND_MS });
        expect(((await verdict.textContent()) ?? '').trim()).toBe(EXPECTED[name].verdict);
        expect((await page.locator('#verdict').textContent()) ?? '').toMatch(EXPECTED[name].reason);
        // The verdict is the first thing on the page: nothing but the one-line heading sits above it.
        const top = await verdict.boundingBox();
        expect(top?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(120);
        expect(await page.title()).toContain(EXPECTED[name].verdict);
        expect(requested.length).toBeGreaterThan(0);
        expect(requested.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
        await page.close();
      });
    }

    it('not-certified: the connection timeline is titled with its failing verdict, the Gantt marks the failure', async () => {
      const file = await renderFixture('not-certified');
      const { page } = await recordingPage(opened.browser);
      await page.goto(pathToFileURL(file).href);
      const titles = await page.locator('svg > text:first-of-type').allTextContents();
      expect(
        titles.some((t) =>
          /connections through the ztunnel rollout \(pre-rollout\) — FAIL: c2 reset/.test(t),
        ),
      ).toBe(true);
      expect(titles.some((t) => /survive/.test(t))).toBe(false);
      expect(await page.locator('figure.upgrade-timeline rect.step.failed').count()).toBe(1);
      expect(await page.locator('figure.upgrade-timeline line.marker.sigterm').count()).toBe(2);
      expect(await page.locator('figure.upgrade-timeline line.marker.deadline').count()).toBe(2);
      // The weight split shows the tolerance band and the confidence level.
      expect(await page.locator('rect.tolerance').count()).toBeGreaterThanOrEqual(2);
      expect((await page.locator('text.confidence').allTextContents()).join(' ')).toMatch(
        /tolerance ±5\.0 pp · false fail ≤ 0\.1%/,
      );
      // Every cell of the matrix links to an anchor that exists on the page.
      const hrefs = await page
        .locator('td.cells a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs.length).toBe(9);
      for (const href of hrefs) expect(await page.locator(`[id="${String(href).slice(1)}"]`).count()).toBe(1);
      await page.close();
    });

    it('control-plane-only: lists the run’s deviations and facts under the verdict', async () => {
      const file = await renderFixture('control-plane-only');
      const { page } = await recordingPage(opened.browser);
      await page.goto(pathToFileURL(file).href);
      const notes = (await page.locator('ul.notes').first().textContent()) ?? '';
      expect(notes).toMatch(/webhook admission disabled \(kwok\)/);
      expect(notes).toMatch(/fixture: synthetic data/);
      await page.close();
    });

    it('the Allure drill-down opens from file:// with its analytics tag stripped, requesting only file: and data:', async () => {
      const dir = await tempReportsDir();
      const results = join(dir, 'allure-results');
      await cp(join(FIXTURE_DIR, 'allure-results'), results, { recursive: true });
      const { indexHtml } = await buildHtmlReport({ resultsDir: results, outDir: join(dir, 'html') });
      const { page, requested } = await recordingPage(opened.browser);
      await page.goto(pathToFileURL(indexHtml).href, { waitUntil: 'load' });
      await page.getByText('open ztunnel-node-drain on the cluster').first().waitFor({ timeout: 30_000 });
      expect((await page.locator('body').textContent()) ?? '').not.toMatch(/stripAnalytics leaves a page/);
      expect(requested.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(await readFile(indexHtml, 'utf8')).not.toMatch(/googletagmanager/);
      await page.close();
    });
  },
);
