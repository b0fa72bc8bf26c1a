import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { report } from '../../../cli/commands/report.ts';
import { reportFileUrl } from '../../../cli/report-action.ts';

describe('report', () => {
  it('refuses a --reports-dir that does not exist and creates nothing', async () => {
    const missing = join(tmpdir(), `aus-no-reports-${process.pid}`, 'reports');
    await expect(report({ reportsDir: missing }, () => {})).rejects.toThrow(
      new RegExp(`^no reports folder at ${missing} — pass the --reports-dir a run wrote to`),
    );
    await expect(stat(join(missing, '..'))).rejects.toThrow(/ENOENT/);
  });

  it('--open hands the browser the report itself, whether the path is absolute or relative', () => {
    expect(reportFileUrl('/srv/runs/r1/html/index.html', '/home/me/suite')).toBe(
      'file:///srv/runs/r1/html/index.html',
    );
    expect(reportFileUrl('reports/html/index.html', '/home/me/suite')).toBe(
      'file:///home/me/suite/reports/html/index.html',
    );
  });
});
