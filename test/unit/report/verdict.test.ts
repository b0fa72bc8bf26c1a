import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decideVerdict,
  EXIT_CODES,
  OVERALL_VERDICTS,
  verdictExitCode,
  worseVerdict,
} from '../../../helpers/report/verdict.ts';

describe('verdict precedence: not certified > incomplete > control plane only > certified', () => {
  const cases = [
    [{ failed: 0, gaps: 0, capabilityGaps: 0 }, 'certified'],
    [{ failed: 0, gaps: 0, capabilityGaps: 5 }, 'control plane only'],
    [{ failed: 0, gaps: 1, capabilityGaps: 0 }, 'incomplete'],
    [{ failed: 0, gaps: 1, capabilityGaps: 5 }, 'incomplete'],
    [{ failed: 1, gaps: 0, capabilityGaps: 0 }, 'not certified'],
    [{ failed: 1, gaps: 1, capabilityGaps: 5 }, 'not certified'],
    [{ failed: 1, gaps: 0, capabilityGaps: 5 }, 'not certified'],
  ] as const;
  it.each(cases)('%o → %s', (evidence, verdict) => {
    expect(decideVerdict(evidence)).toBe(verdict);
  });

  it('worseVerdict follows the same order, in both argument orders', () => {
    for (const [i, a] of OVERALL_VERDICTS.entries()) {
      for (const [j, b] of OVERALL_VERDICTS.entries()) {
        const expected = OVERALL_VERDICTS[Math.min(i, j)];
        expect(worseVerdict(a, b)).toBe(expected);
        expect(worseVerdict(b, a)).toBe(expected);
      }
    }
  });
});

describe('exit codes of run', () => {
  it('one distinct code per verdict, 2 kept for usage errors, only certified exits 0', () => {
    expect(OVERALL_VERDICTS.map(verdictExitCode)).toEqual([1, 3, 4, 0]);
    expect(EXIT_CODES.usage).toBe(2);
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(Object.keys(EXIT_CODES).length);
  });

  it('the README table says the same as the code', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const [what, code] of Object.entries(EXIT_CODES)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${code} |`));
      expect(row, `README exit-code row for ${code}`).toBeDefined();
      expect(row).toContain(what === 'usage' ? 'usage' : `\`${what}\``);
    }
  });
});
