import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fragmentPath } from '../../../helpers/report/recorder.ts';
import { FragmentRecord } from '../../../helpers/report/summary-schema.ts';
import { RUN_CONFIG_ENV, type RunConfig } from '../../../suites/run-config.ts';

// The smoke e2e suite in a vitest child, as the CLI launches it: the run config goes in through its file.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Spawning vitest takes seconds on a loaded machine; the assertions are about outcome, not speed. */
export const SPAWN_TIMEOUT = 180_000;

export interface SmokeChild {
  exitCode: number | undefined;
  /** stdout and stderr, for assertion messages. */
  output: string;
  /** The smoke fragment's records (empty when none was written). */
  records: FragmentRecord[];
}

/** The parent's environment without vitest's own worker variables or an inherited run config. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('AUS_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Writes `config` into `dir` and runs `suites/smoke.e2e.ts` in a vitest child with it. */
export async function runSmokeChild(dir: string, config: RunConfig): Promise<SmokeChild> {
  const configFile = join(dir, 'run-config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const child = await execa('npx', ['vitest', 'run', '--project', 'e2e', 'suites/smoke.e2e.ts'], {
    cwd: ROOT,
    env: childEnv({ [RUN_CONFIG_ENV]: configFile, AUS_REPORTS_DIR: config.reportsDir }),
    extendEnv: false,
    reject: false,
    timeout: SPAWN_TIMEOUT,
  });
  const text = await readFile(fragmentPath(config.reportsDir, 'smoke'), 'utf8').catch(() => '');
  const records = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => FragmentRecord.parse(JSON.parse(line)));
  return { exitCode: child.exitCode, output: `${child.stdout}\n${child.stderr}`, records };
}
