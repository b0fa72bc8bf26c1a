import { defineConfig } from 'vitest/config';

// A stand-in project root for the scenario vitest child (suites/scenario-process.ts): one e2e project whose only
// file blocks until the run is stopped. Console reporter only: nothing is written under reports/.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [{ test: { name: 'e2e', include: ['suites/**/*.e2e.ts'], testTimeout: 10 * 60_000 } }],
  },
});
