import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProbeBundle } from '../../../helpers/probes/bundle.ts';

/**
 * Builds the pod bundle into a fresh, otherwise empty temp folder (no node_modules anywhere above it that holds
 * our dependencies), as the pod sees it at /probe/probe.mjs. Returns its path.
 */
export async function writeBundle(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'aus-probe-bundle-'));
  const file = join(dir, 'probe.mjs');
  await writeFile(file, await buildProbeBundle());
  return { dir, file };
}
