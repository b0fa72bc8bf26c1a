// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) in turn.
// Each exports `default async function (): Promise<void>` that prints its own figures.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(' ')} — available: ls bench/*.bench.ts\n`);
  process.exit(2);
}
for (const file of files) {
  process.stdout.write(`\n## ${file}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  await mod.default();
}
