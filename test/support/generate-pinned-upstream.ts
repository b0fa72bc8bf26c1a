// Writes test/support/pinned-upstream.json from ../shared/upstream/*/SOURCE.md: every upstream file the tests
// read, with its repository, commit, path upstream and sha256. Run after a deliberate update of the copies:
//   npm run fixtures:manifest [-- <upstream dir>]
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Of } from '../../helpers/mesh/fetch-cache.ts';
import type { PinnedFile } from '../../helpers/upstream/pinned-files.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const upstream = process.argv[2] ?? join(root, '..', 'shared', 'upstream');
const out = join(root, 'test', 'support', 'pinned-upstream.json');

// Documentation and licences are not read by any test; fewer files, fewer ways to fail.
const skipped = (path: string): boolean => path === 'LICENSE' || path.startsWith('docs/');

function rowsOf(source: string, folder: string): PinnedFile[] {
  const repo = /Repository: https:\/\/github\.com\/([\w.-]+\/[\w.-]+)/.exec(source)?.[1];
  if (!repo) return []; // Not from a repository (e.g. a documentation page as received): cannot be pinned.
  const fileCommit = /^\s*-\s*Commit:?\s*`([0-9a-f]{40})`/m.exec(source)?.[1];
  let commit = fileCommit;
  const files: PinnedFile[] = [];
  for (const line of source.split('\n')) {
    if (line.startsWith('## ')) commit = /([0-9a-f]{40})/.exec(line)?.[1] ?? fileCommit;
    const cells = line.startsWith('| `') ? line.split('|').map((cell) => cell.trim()) : [];
    const local = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!local || skipped(local)) continue;
    const original = (cells[2] ?? '').startsWith('same') ? local : /`([^`]+)`/.exec(cells[2] ?? '')?.[1];
    if (!original || !commit) throw new Error(`${folder}/SOURCE.md: no upstream path or commit for ${local}`);
    const sha256 = cells.find((cell) => /^[0-9a-f]{64}$/.test(cell)) ?? '';
    files.push({ folder, path: local, repo, commit, source: original, sha256 });
  }
  return files;
}

const pinned: PinnedFile[] = [];
for (const folder of (await readdir(upstream)).sort()) {
  const source = await readFile(join(upstream, folder, 'SOURCE.md'), 'utf8').catch(() => '');
  for (const file of rowsOf(source, folder)) {
    const actual = sha256Of(await readFile(join(upstream, folder, file.path), 'utf8'));
    if (file.sha256 && file.sha256 !== actual) {
      throw new Error(`${folder}/${file.path}: sha256 ${actual}, SOURCE.md says ${file.sha256}`);
    }
    pinned.push({ ...file, sha256: actual });
  }
}
await writeFile(out, `${JSON.stringify(pinned, null, 2)}\n`);
console.log(`${out}: ${pinned.length} files`);
