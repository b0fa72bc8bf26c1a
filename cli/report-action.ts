// `report` implementation: loaded when the command runs (allure, execa, listr2 progress).
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { UserError } from '../helpers/errors.ts';
import { buildHtmlReport, hasAllureResults } from '../helpers/report/html.ts';
import { reportPaths } from '../helpers/report/paths.ts';
import { createProgress } from '../helpers/report/progress.ts';
import { writeSummary } from '../helpers/report/write-summary.ts';

export interface ReportOptions {
  reportsDir: string;
  out?: string;
  open?: boolean;
}

export interface ReportOutcome {
  summaryMd: string;
  summaryJson: string;
  /** certification.html: what `--open` opens. */
  page: string;
  verdict: string;
  html?: string;
}

/** The file URL `--open` hands the browser: resolve, not join, since the path is absolute when --out is. */
export function reportFileUrl(indexHtml: string, cwd: string = process.cwd()): string {
  return pathToFileURL(resolve(cwd, indexHtml)).href;
}

function opener(): string {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer';
  return 'xdg-open';
}

/**
 * `ambient-upgrade report`: regenerate summary.json/md and certification.html from the scenario fragments,
 * then the single-file Allure HTML report (the drill-down; only the scenarios' results, never the project's
 * own tests). The summary comes first so a run with no allure results still gets its verdict; `--open` opens
 * the certification page.
 */
export async function report(
  { reportsDir, out, open = false }: ReportOptions,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ReportOutcome> {
  // A mistyped --reports-dir must not leave an empty folder with a summary of nothing in it.
  const isDir = await stat(reportsDir).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new UserError(
      `no reports folder at ${reportsDir} — pass the --reports-dir a run wrote to (or set AUS_REPORTS_DIR), or run \`npx ambient-upgrade run\` first`,
    );
  }
  const paths = reportPaths(reportsDir);
  const outDir = out ?? paths.html;
  const progress = createProgress();

  const written = await progress.task('certification summary', () => writeSummary(reportsDir));
  const outcome: ReportOutcome = {
    summaryMd: written.markdown,
    summaryJson: written.json,
    page: written.page,
    verdict: written.summary.verdict,
  };
  write(`verdict:  ${written.summary.verdict}`);
  write(`page:     ${written.page} (open this first; one file, works offline)`);
  write(`summary:  ${written.markdown} (and ${relative(reportsDir, written.json)})`);
  if (written.figures.length > 0) write(`figures:  ${written.figures.length} in ${paths.figures}`);

  if (!(await hasAllureResults(paths.allureResults))) {
    throw new UserError(
      `no allure results in ${paths.allureResults} — run \`npm test\` or \`npx ambient-upgrade run\` first (set AUS_REPORTS_DIR or --reports-dir if they went elsewhere)`,
    );
  }
  const html = await progress.task('allure HTML report', () =>
    buildHtmlReport({ resultsDir: paths.allureResults, outDir }),
  );
  outcome.html = html.indexHtml;
  // Once the drill-down exists the page links it (relative, so the folder can be moved or uploaded whole).
  await writeSummary(reportsDir, undefined, { allureHref: relative(reportsDir, html.indexHtml) });
  write(`allure:   ${html.indexHtml} (drill-down: every step with its evidence; one file)`);
  write(`junit:    ${paths.junit}`);

  if (open) {
    const url = reportFileUrl(written.page);
    const result = await execa(opener(), [url], { reject: false, detached: true, stdio: 'ignore' });
    if (result.failed) write(`could not open a browser (${opener()}): open ${url} yourself`);
  }
  return outcome;
}
