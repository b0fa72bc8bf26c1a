import { join } from 'node:path';

/**
 * Where a run's reports live. `AUS_REPORTS_DIR` is the same override vitest.config.ts reads, so the suite,
 * the `report` command and CI agree on one folder without passing it around.
 */
export function defaultReportsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AUS_REPORTS_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'reports';
}

/** The layout of a reports folder; every writer and reader goes through this one map. */
export function reportPaths(reportsDir: string) {
  return {
    root: reportsDir,
    allureResults: join(reportsDir, 'allure-results'),
    junit: join(reportsDir, 'junit.xml'),
    summaryParts: join(reportsDir, 'summary-parts'),
    runMeta: join(reportsDir, 'summary-parts', '_run.json'),
    summaryJson: join(reportsDir, 'summary.json'),
    summaryMd: join(reportsDir, 'summary.md'),
    /** The page a release engineer opens first: verdict, run, matrix, timelines, pictures; one file. */
    certification: join(reportsDir, 'certification.html'),
    figures: join(reportsDir, 'figures'),
    html: join(reportsDir, 'html'),
  } as const;
}

export type ReportPaths = ReturnType<typeof reportPaths>;

/** Scenario and check names become file names: keep them readable, safe and collision-resistant enough. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'unnamed' : s.slice(0, 80);
}
