import type { Command } from 'commander';

/** Every command module exports one `register(program)`; the order here is the order in `--help`. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
