import type { Command } from 'commander';
import { register as cleanup } from './cleanup.ts';
import { register as plan } from './plan.ts';
import { register as probe } from './probe.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as versions } from './versions.ts';

/** Every command module exports one `register(program)`; the order here is the order in `--help`. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [run, plan, versions, probe, report, cleanup];
