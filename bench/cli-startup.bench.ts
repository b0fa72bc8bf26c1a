// Wall time of the CLI from spawn to exit for the cases that must answer at once: help and user errors.
// AUS_BENCH_CLI_RUNS runs per case (default 7) after one warm-up (tsx's transform cache). The run case uses a
// PATH of node's folder plus /usr/bin:/bin, so with no Docker, kind or helm it exits 2 at the prerequisites.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin/ambient-upgrade.js');

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
}

function cases(out: string): Case[] {
  return [
    { name: 'node -e 0 (floor)', argv: ['-e', '0'] },
    { name: '--help', argv: [CLI, '--help'] },
    { name: 'run --help', argv: [CLI, 'run', '--help'] },
    {
      name: 'plan --scenario nope',
      argv: [CLI, 'plan', '--scenario', 'nope', '--from', '1.29.6', '--to', '1.30.3', '--out', out],
    },
    {
      name: 'plan --from 1.3x',
      argv: [CLI, 'plan', '--scenario', 'inplace', '--from', '1.3x', '--to', '1.30.3'],
    },
    { name: 'run --workers 1', argv: [CLI, 'run', '--workers', '1'] },
    {
      name: 'run (no docker/kind/helm)',
      argv: [CLI, 'run', '--scenario', 'inplace', '--from', '1.29.6', '--to', '1.30.3'],
    },
  ];
}

const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;

export default async function cliStartupBench(): Promise<void> {
  const runs = Number(process.env.AUS_BENCH_CLI_RUNS ?? 7);
  const scratch = mkdtempSync(join(tmpdir(), 'aus-bench-cli-'));
  const env = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: process.env.HOME ?? scratch,
    CI: '1',
  };
  try {
    process.stdout.write(
      `${runs} runs per case after 1 warm-up; median (min … max), exit code, stderr lines\n`,
    );
    for (const { name, argv } of cases(join(scratch, 'plan-never-written'))) {
      const times: number[] = [];
      let status: number | null = null;
      let errLines = 0;
      for (let i = 0; i <= runs; i += 1) {
        const started = performance.now();
        const result = spawnSync(process.execPath, argv, { cwd: ROOT, env, encoding: 'utf8' });
        const elapsed = performance.now() - started;
        if (i === 0) continue;
        times.push(elapsed);
        status = result.status;
        errLines = result.stderr.split('\n').filter((line) => line !== '').length;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
      const range = `(${(times[0] ?? Number.NaN).toFixed(0)} … ${(times.at(-1) ?? Number.NaN).toFixed(0)})`;
      process.stdout.write(
        `  ${name.padEnd(28)} ${ms(median)} ${range.padEnd(14)} exit ${status}, ${errLines} stderr line(s)\n`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
