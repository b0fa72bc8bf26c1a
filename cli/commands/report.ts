import type { Command } from 'commander';
import { defaultReportsDir } from '../../helpers/report/paths.ts';
import type { ReportOptions, ReportOutcome } from '../report-action.ts';

export type { ReportOptions, ReportOutcome };

/**
 * `ambient-upgrade report`: regenerate summary.json/md from the scenario fragments, then the single-file
 * Allure HTML report. The implementation (allure, execa) loads on call, so declaring the command stays cheap.
 */
export async function report(options: ReportOptions, write?: (line: string) => void): Promise<ReportOutcome> {
  const { report: build } = await import('../report-action.ts');
  return build(options, write);
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Build summary.md/json and the single-file Allure HTML report from a run’s results')
    .option('--reports-dir <dir>', 'folder the run wrote to (env AUS_REPORTS_DIR)', defaultReportsDir())
    .option('--out <dir>', 'where to write the HTML report (default: <reports-dir>/html)')
    .option('--open', 'open the HTML report in the default browser', false)
    .action(async (opts: { reportsDir: string; out?: string; open: boolean }) => {
      await report({
        reportsDir: opts.reportsDir,
        open: opts.open,
        ...(opts.out === undefined ? {} : { out: opts.out }),
      });
    });
}
