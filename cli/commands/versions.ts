import type { Command } from 'commander';
import { DEFAULT_OPERATOR_VERSION } from '../constants.ts';
import type { VersionsFlags } from '../versions-action.ts';

export function register(program: Command): void {
  program
    .command('versions')
    .description('List the Istio versions the Sail operator offers and the default upgrade paths')
    .option('--crd <file>', 'the istios.sailoperator.io CRD file to read (offline)')
    .option(
      '--operator-version <version>',
      `Sail operator release whose CRD to fetch (default ${DEFAULT_OPERATOR_VERSION})`,
    )
    .option('--cache-dir <dir>', 'where fetched CRDs are cached (default .cache/crds)')
    .addHelpText(
      'after',
      '\nOffline: with --crd nothing is fetched, so versions works on a machine without network. Without it the\nchart CRDs are fetched once and kept in --cache-dir (later runs work offline).',
    )
    .action(async (flags: VersionsFlags) => {
      const { formatVersionsReport, resolveSupportedVersions } = await import('../versions-action.ts');
      const { supported, source } = await resolveSupportedVersions(flags);
      process.stdout.write(formatVersionsReport(supported, source));
    });
}
