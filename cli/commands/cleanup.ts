import type { Command } from 'commander';
import { UserError } from '../../helpers/errors.ts';

// Placeholder until the owning module lands; replaced wholesale by its implementation.
export function register(program: Command): void {
  program
    .command('cleanup')
    .description('(not implemented yet)')
    .action(() => {
      throw new UserError('cleanup is not implemented yet — see the README for available commands');
    });
}
