// `npm run bench kwok`: wall time of `run --provider kwok` per scenario, cluster set-up to clean-up (the real
// apiserver, controllers, etcd, kwok nodes and the Sail operator process; no data plane). Issue 9's target is
// ≤ 3 min per scenario on 2 cores after the build. One run at a time; the load average is printed beside every
// figure because on a shared machine it moves the numbers more than anything the suite does.
// AUS_BENCH_KWOK_STAGES: fast (default), delayed, or both; AUS_BENCH_KWOK_SCENARIOS: comma-separated subset.
// Skipped, with the reason, where the kwok provider cannot run (not root, binaries not built, no Sail operator).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { kwokUnavailableReason } from '../clusters/kwok/prerequisites.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin/ambient-upgrade.js');
const SCENARIOS = [
  'smoke',
  'inplace',
  'revision-based',
  'ztunnel-rolling',
  'ztunnel-node-drain',
  'cross-namespace-waypoint',
] as const;
const TARGET_S = 180;
/** `run`'s exit code for "control plane only": every check that could run passed. */
const CONTROL_PLANE_ONLY = 4;

type Stages = 'fast' | 'delayed';

function stagesWanted(raw: string | undefined): Stages[] {
  if (raw === undefined || raw === 'fast') return ['fast'];
  if (raw === 'delayed') return ['delayed'];
  if (raw === 'both') return ['fast', 'delayed'];
  throw new Error(`AUS_BENCH_KWOK_STAGES=${raw}: use fast, delayed or both`);
}

function scenariosWanted(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [...SCENARIOS];
  const names = raw.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`AUS_BENCH_KWOK_SCENARIOS: unknown ${unknown.join(', ')} — use ${SCENARIOS.join(', ')}`);
  }
  return names;
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

interface Totals {
  readonly verdict: string;
  readonly pass: number;
  readonly fail: number;
  readonly notRun: number;
}

async function readTotals(reportsDir: string): Promise<Totals | undefined> {
  try {
    const summary = JSON.parse(await readFile(join(reportsDir, 'summary.json'), 'utf8')) as {
      verdict?: string;
      totals?: { pass?: number; fail?: number; 'not-run'?: number };
    };
    return {
      verdict: summary.verdict ?? '?',
      pass: summary.totals?.pass ?? 0,
      fail: summary.totals?.fail ?? 0,
      notRun: summary.totals?.['not-run'] ?? 0,
    };
  } catch {
    return undefined;
  }
}

export default async function kwokScenariosBench(): Promise<void> {
  const ready = await kwokUnavailableReason();
  if ('reason' in ready) {
    process.stdout.write(`skipped: ${ready.reason}\n`);
    return;
  }
  const stages = stagesWanted(process.env.AUS_BENCH_KWOK_STAGES);
  const scenarios = scenariosWanted(process.env.AUS_BENCH_KWOK_SCENARIOS);
  const scratch = await mkdtemp(join(tmpdir(), 'aus-bench-kwok-'));
  process.stdout.write(
    `one \`run --provider kwok\` per scenario, in turn (cluster, Gateway API CRDs, Sail chart and operator process, scenario, clean-up); target ≤ ${TARGET_S} s each; load average (1/5/15 min) at start → end\n`,
  );
  const over: string[] = [];
  try {
    for (const stage of stages) {
      for (const scenario of scenarios) {
        const reportsDir = join(scratch, `${stage}-${scenario}`);
        const loadBefore = load();
        const started = performance.now();
        const result = await execa(
          process.execPath,
          [
            CLI,
            'run',
            '--provider',
            'kwok',
            '--pod-stages',
            stage,
            '--scenario',
            scenario,
            '--reports-dir',
            reportsDir,
          ],
          { cwd: ROOT, reject: false, stdio: ['ignore', 'ignore', 'pipe'], env: { CI: '1' } },
        );
        const seconds = (performance.now() - started) / 1000;
        const totals = await readTotals(reportsDir);
        const counts = totals
          ? `${totals.verdict}: ${totals.pass} passed, ${totals.fail} failed, ${totals.notRun} not run`
          : `no summary: ${result.stderr.trim().split('\n').at(-1) ?? ''}`;
        const expected = result.exitCode === CONTROL_PLANE_ONLY && totals?.fail === 0;
        if (seconds > TARGET_S) over.push(`${stage} ${scenario}`);
        process.stdout.write(
          `  ${`${stage} ${scenario}`.padEnd(34)} ${seconds.toFixed(0).padStart(5)} s   load ${loadBefore} → ${load()}   exit ${result.exitCode}${expected ? '' : ' (expected 4, control plane only)'}, ${counts}\n`,
        );
      }
    }
    process.stdout.write(
      over.length === 0
        ? `every scenario within ${TARGET_S} s\n`
        : `over ${TARGET_S} s: ${over.join(', ')} (compare the load: the target is for an otherwise idle 2-core machine)\n`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
