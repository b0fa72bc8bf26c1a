// Prints the test totals of a vitest JUnit file as one plain line, `tests: N passed, N failed, N skipped`, for CI
// logs that do not read vitest's own summary. Skipped tests (e2e without a cluster) are never counted as passed.
import { readFileSync } from 'node:fs';

// Several files (the test tiers, then the kwok scenario runs) add up to one line.
const files = process.argv.length > 2 ? process.argv.slice(2) : ['reports/junit.xml'];
let total = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const xml = readFileSync(file, 'utf8');
  for (const match of xml.matchAll(/<testsuite\s[^>]*>/g)) {
    const attr = (name) => Number(new RegExp(`\\s${name}="(\\d+)"`).exec(match[0])?.[1] ?? 0);
    total += attr('tests');
    failed += attr('failures') + attr('errors');
    skipped += attr('skipped');
  }
}
if (total === 0) {
  console.error(`no tests found in ${files.join(', ')}`);
  process.exit(1);
}
console.log(`tests: ${total - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
