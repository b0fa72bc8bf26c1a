import { describe, expect, it } from 'vitest';
import { closedInsideDrainWindow } from '../../../suites/runner/background.ts';

const sigterm = 1_000_000;
const replacements = [{ sigtermAt: sigterm }];

describe('closedInsideDrainWindow (long-grace promise)', () => {
  it('counts a clean close between SIGTERM and the drain deadline, boundaries included', () => {
    const long = [
      { outcome: 'closed', closed: sigterm },
      { outcome: 'closed', closed: sigterm + 120_000 },
      { outcome: 'closed', closed: sigterm + 295_000 },
    ];
    expect(closedInsideDrainWindow(long, replacements, 295)).toBe(3);
  });

  it('does not count a clean close before any SIGTERM, after the deadline, or an abnormal end inside the window', () => {
    const long = [
      { outcome: 'closed', closed: sigterm - 1 },
      { outcome: 'closed', closed: sigterm + 295_001 },
      { outcome: 'reset', closed: sigterm + 10_000 },
      { outcome: 'open', closed: null },
    ];
    expect(closedInsideDrainWindow(long, replacements, 295)).toBe(0);
  });

  it('counts nothing when no ztunnel on the pair was replaced', () => {
    expect(closedInsideDrainWindow([{ outcome: 'closed', closed: sigterm }], [], 295)).toBe(0);
  });
});
