import { describe, expect, it } from 'vitest';
import { defaultReportsDir, reportPaths } from '../../../helpers/report/paths.ts';
import config from '../../../vitest.config.ts';

// The report command reads what vitest's reporters write; the two must agree on where (AUS_REPORTS_DIR or
// `reports`). CI uploads reports/junit.xml for the test tab and reports/allure-results feeds the HTML report.
describe('reporter paths', () => {
  const reporters = (config.test?.reporters ?? []) as unknown[];
  const options = (name: string) => {
    const entry = reporters.find(
      (r): r is [string, Record<string, unknown>] => Array.isArray(r) && r[0] === name,
    );
    return entry?.[1];
  };
  const paths = reportPaths(defaultReportsDir());

  it('JUnit goes to <reports>/junit.xml', () => {
    expect(options('junit')?.outputFile).toBe(paths.junit);
  });

  it('allure results go to <reports>/allure-results, where `ambient-upgrade report` reads them', () => {
    expect(options('allure-vitest/reporter')?.resultsDir).toBe(paths.allureResults);
  });
});
