import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/** The `allure` CLI of the installed package (a declared dependency), run with this Node: no PATH lookup. */
export function allureCli(): string {
  // The package exports only its API (dist/index.js); the CLI sits at the package root beside dist/.
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('allure')), '..', 'cli.js');
}

/** True when the folder holds at least one allure test result (containers and attachments alone are not a run). */
export async function hasAllureResults(resultsDir: string): Promise<boolean> {
  try {
    return (await readdir(resultsDir)).some((n) => n.endsWith('-result.json'));
  } catch {
    return false;
  }
}

/** The spec file of an allure-vitest result (`<root name>:<spec path>#<test>`), or undefined. */
export function specPathOf(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || !('fullName' in result)) return undefined;
  const fullName = result.fullName;
  if (typeof fullName !== 'string') return undefined;
  return /^(?:[^:#]*:)?([^#]+)#/.exec(fullName)?.[1];
}

/** A certification shows the scenario suites (`suites/*.e2e.ts`) only, never the project's own tests. */
export function isScenarioResult(result: unknown): boolean {
  const spec = specPathOf(result);
  return spec !== undefined && /^suites\/.+\.e2e\.ts$/.test(spec);
}

/**
 * Copies the allure results of the scenario suites into `stagingDir`: every file but the `*-result.json` of
 * other tests (a `npm test` run writes unit, contract and integration results into the same folder).
 * Containers and attachments are copied as they are; allure ignores those no result refers to.
 */
export async function stageScenarioResults(
  resultsDir: string,
  stagingDir: string,
): Promise<{ kept: number; left: number }> {
  await mkdir(stagingDir, { recursive: true });
  let kept = 0;
  let left = 0;
  for (const name of await readdir(resultsDir)) {
    const from = join(resultsDir, name);
    if (name.endsWith('-result.json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(from, 'utf8'));
      } catch {
        parsed = undefined;
      }
      if (!isScenarioResult(parsed)) {
        left++;
        continue;
      }
      kept++;
    }
    await copyFile(from, join(stagingDir, name));
  }
  return { kept, left };
}

// Allure 3 "awesome" output loads Google Analytics; a report opened from a CI artifact or file:// must not
// call out. Both the loader tag and the inline gtag() block are removed.
const GTAG_LOADER =
  /[ \t]*<script[^>]*\bsrc="https:\/\/www\.googletagmanager\.com\/[^"]*"[^>]*><\/script>\s*/g;
const GTAG_INLINE = /[ \t]*<script>\s*window\.dataLayer\s*=[\s\S]*?<\/script>\s*/g;

export function stripAnalytics(html: string): { html: string; removed: number } {
  let removed = 0;
  const out = html
    .replace(GTAG_LOADER, () => {
      removed++;
      return '';
    })
    .replace(GTAG_INLINE, () => {
      removed++;
      return '';
    });
  return { html: out, removed };
}

export function mentionsAnalytics(html: string): boolean {
  return /googletagmanager|gtag\(/.test(html);
}

export interface HtmlReportOptions {
  resultsDir: string;
  outDir: string;
  name?: string;
}

export interface HtmlReport {
  indexHtml: string;
  analyticsTagsRemoved: number;
}

/**
 * Builds the Allure 3 "awesome" report as one self-contained HTML file (it opens from file://, which the
 * multi-file variant does not) and strips the analytics tag. Runs offline in a few seconds.
 */
export async function buildHtmlReport({
  resultsDir,
  outDir,
  name = 'ambient-upgrade-suite',
}: HtmlReportOptions): Promise<HtmlReport> {
  // A stale multi-file report left in the same folder would confuse whoever opens it.
  await rm(outDir, { recursive: true, force: true });
  const staging = await mkdtemp(join(tmpdir(), 'aus-allure-'));
  try {
    return await buildFrom(staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  async function buildFrom(staged: string): Promise<HtmlReport> {
    await stageScenarioResults(resultsDir, staged);
    const result = await execa(
      process.execPath,
      [
        allureCli(),
        'awesome',
        staged,
        '--output',
        outDir,
        '--single-file',
        '--name',
        name,
        '--group-by',
        'parentSuite,suite,subSuite',
      ],
      // ALLURE_NO_ANALYTICS only helps the allure2 plugin, but costs nothing here.
      { reject: false, all: true, env: { ALLURE_NO_ANALYTICS: 'true' } },
    );
    const indexHtml = join(outDir, 'index.html');
    if (result.exitCode !== 0) {
      throw new Error(`allure could not build the report (exit ${result.exitCode}): ${result.all.trim()}`);
    }
    const raw = await readFile(indexHtml, 'utf8');
    const { html, removed } = stripAnalytics(raw);
    if (mentionsAnalytics(html)) {
      throw new Error(
        `${indexHtml} still references Google Analytics after stripping; the Allure template changed`,
      );
    }
    await writeFile(indexHtml, html, 'utf8');
    return { indexHtml, analyticsTagsRemoved: removed };
  }
}
