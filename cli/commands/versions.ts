import type { Command } from 'commander';
import { UserError } from '../../helpers/errors.ts';

// Placeholder until the owning module lands; replaced wholesale by its implementation.
export function register(program: Command): void {
  program
    .command('versions')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('versions is not implemented yet — see the README for available commands');
    });
}
