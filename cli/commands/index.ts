import type { Command } from 'commander';
import { register as cleanup } from './cleanup.ts';
import { register as plan } from './plan.ts';
import { describeProbes, register as probe } from './probe.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as versions } from './versions.ts';

// Each command module declares its command with light imports only; its action loads the implementation.

/** Every command module exports one `register(program)`; the order here is the order in `--help`. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [run, plan, versions, probe, report, cleanup];

/**
 * Help details too costly to load for every invocation (the probe list needs the probe program). Awaited by
 * main only when the program's own help may be printed, so `run …`, `plan …` and the rest never pay for them.
 */
export async function completeProgramHelp(program: Command): Promise<void> {
  await describeProbes(program);
}
