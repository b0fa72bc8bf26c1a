// vitest globalSetup: resolves every pinned upstream file once, before any test file loads, so a machine
// without them stops with one line instead of a stack trace per test.
import type { TestProject } from 'vitest/node';
import { isUserError } from '../../helpers/errors.ts';
import { resolvePinnedFiles } from '../../helpers/upstream/pinned-files.ts';
import { FIXTURES_FIX, fixtureSources, PINNED_UPSTREAM } from './upstream-files.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  try {
    const resolved = await resolvePinnedFiles(
      PINNED_UPSTREAM,
      { ...fixtureSources(), timeoutMs: 15_000 },
      FIXTURES_FIX,
    );
    project.provide('upstreamDir', resolved.dir);
  } catch (error) {
    const message = isUserError(error) ? error.message : String(error);
    process.stderr.write(`upstream test fixtures: ${message}\n`);
    process.exit(1);
  }
}
