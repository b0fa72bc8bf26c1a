import { defineConfig } from 'vitest/config';
import { RUN_CONFIG_ENV } from './suites/run-config.ts';

// Reporters are shared by every project: the console, JUnit for CI test tabs, allure for the report.
// AUS_REPORTS_DIR lets `ambient-upgrade run` put a run's results in its own folder.
const reportsDir = process.env.AUS_REPORTS_DIR ?? 'reports';

export default defineConfig({
  test: {
    // Resolves the pinned upstream files (CRDs, samples, goldens) before any test loads; see test/support.
    globalSetup: ['test/support/upstream-setup.ts'],
    reporters: [
      // First: empties the reports folder of an earlier run, so every report shows this run only.
      [
        './helpers/report/fresh-reports.ts',
        { reportsDir, keepRunMeta: process.env[RUN_CONFIG_ENV] !== undefined },
      ],
      'default',
      ['junit', { outputFile: `${reportsDir}/junit.xml` }],
      [
        'allure-vitest/reporter',
        {
          resultsDir: `${reportsDir}/allure-results`,
          // Every expect() would be a step ("expect(0).toBe(0)"); steps are the plan's, named by the suite.
          reportMatchers: false,
          globalLabels: { framework: 'vitest', suite: 'ambient-upgrade-suite' },
        },
      ],
    ],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          testTimeout: 30_000,
          // Compiling the real CRD schemas in beforeAll takes seconds; 10 s (the default) is not enough on a loaded machine.
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Real servers bind ports and namespaces: one file at a time keeps them from colliding.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['suites/**/*.e2e.ts', 'test/control-plane/**/*.test.ts'],
          // A live upgrade takes minutes per step; waits carry their own, named timeouts.
          testTimeout: 60 * 60_000,
          hookTimeout: 30 * 60_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
