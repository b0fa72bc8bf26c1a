import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { reportPaths } from './paths.ts';

export interface FreshReportsOptions {
  reportsDir: string;
  /**
   * Keep `summary-parts/_run.json`: `ambient-upgrade run` writes it (cluster, versions) just before it starts
   * vitest. A plain `npm test` has no run behind it, so an earlier run's metadata must go.
   */
  keepRunMeta: boolean;
}

/**
 * Removes what an earlier run left in the reports folder (allure results, JUnit, summary fragments, figures, the
 * pages), so every report describes one run only: no "retried" tests from the previous run, no stale errors, no
 * doubled skip reasons, no wall time spanning both. Synchronous on purpose: it must finish before the allure
 * reporter writes its first file. Files it does not own (reports/README.md) stay.
 */
export function clearRunOutputs({ reportsDir, keepRunMeta }: FreshReportsOptions): string[] {
  const p = reportPaths(reportsDir);
  const removed: string[] = [];
  const remove = (path: string) => {
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  };
  for (const path of [
    p.allureResults,
    p.junit,
    p.html,
    p.figures,
    p.summaryJson,
    p.summaryMd,
    p.certification,
  ]) {
    remove(path);
  }
  let parts: string[] = [];
  try {
    parts = readdirSync(p.summaryParts);
  } catch {
    parts = [];
  }
  for (const name of parts) {
    const path = join(p.summaryParts, name);
    if (keepRunMeta && path === p.runMeta) continue;
    remove(path);
  }
  return removed;
}

/**
 * A vitest reporter that only clears the reports folder when a run starts (`onInit`). It is listed before the
 * JUnit and allure reporters in vitest.config.ts; vitest calls `onInit` of each reporter in list order.
 */
export default class FreshReportsReporter {
  private readonly options: FreshReportsOptions;

  constructor(options: FreshReportsOptions) {
    this.options = options;
  }

  onInit(): void {
    clearRunOutputs(this.options);
  }
}
