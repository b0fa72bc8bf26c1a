import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../../helpers/report/summary.ts';
import { cell, duration, renderSummaryMarkdown } from '../../../helpers/report/summary-markdown.ts';
import { RunMeta } from '../../../helpers/report/summary-schema.ts';
import { weightsProbe } from './fixtures.ts';

describe('markdown cells', () => {
  it('escape pipes, newlines and HTML so probe text cannot break the table', () => {
    expect(cell('a|b\nc <script>')).toBe('a\\|b<br>c &lt;script&gt;');
  });

  it('leave code spans readable: no entities inside backticks, pipes still escaped', () => {
    expect(cell('run `x --kubeconfig <file> | y` or <z>')).toBe(
      'run `x --kubeconfig <file> \\| y` or &lt;z&gt;',
    );
  });

  it('format durations a reader can scan', () => {
    expect(duration(450)).toBe('450 ms');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(725_000)).toBe('12m 05s');
    expect(duration(3_900_000)).toBe('1h 05m');
  });
});

describe('summary.md', () => {
  const { summary } = buildSummary(
    RunMeta.parse({ runId: 'run-7', scenarios: ['inplace', 'revision'] }),
    [
      {
        scenario: 'inplace',
        problems: [],
        records: [
          {
            kind: 'check',
            scenario: 'inplace',
            at: 0,
            check: 'weights | split',
            verdict: 'fail',
            required: true,
            reason: 'v2 at 31%\nexpected 10%',
          },
          {
            kind: 'weights',
            scenario: 'inplace',
            at: 1,
            check: 'weights | split',
            figures: { ...weightsProbe, interval: undefined },
          },
        ],
      },
      {
        scenario: 'revision',
        problems: [],
        records: [{ kind: 'skip', scenario: 'revision', at: 0, reason: 'no cluster: KUBECONFIG unset' }],
      },
    ],
    { generatedAt: '2025-11-25T10:00:00.000Z' },
  );
  const md = renderSummaryMarkdown(summary);

  it('leads with the verdict and why', () => {
    expect(md.split('\n')[0]).toBe('# Certification summary: ❌ NOT CERTIFIED');
    expect(md).toContain('- inplace / weights \\| split failed: v2 at 31%<br>expected 10%');
  });

  it('shows the skipped scenario with its reason, never as passed', () => {
    expect(md).toContain('| `revision` | ⏭️ skipped: no cluster: KUBECONFIG unset |');
  });

  it('says plainly when no cluster was reached', () => {
    expect(md).toContain('| Cluster | none (no cluster was reached) |');
  });

  it('links the weight-split picture and tabulates backends', () => {
    expect(md).toContain('[split picture](figures/inplace--weights-split-weights.svg)');
    expect(md).toContain('| `v2` | 103 | 10.0% | 10.3% |  |');
  });

  it('keeps every table row the same width as its header', () => {
    const lines = md.split('\n');
    let columns = 0;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      const n = line.replace(/\\\|/g, '').split('|').length;
      if (columns === 0) columns = n;
      expect(n, line).toBe(columns);
    }
  });
});
