import { describe, expect, it } from 'vitest';
import { defaultTimeouts, resolveTimeouts } from '../../../helpers/plan/timeouts.ts';

describe('resolveTimeouts', () => {
  it('has a named default for every wait and scales them all', () => {
    const scaled = resolveTimeouts({}, 2);
    for (const [name, value] of Object.entries(defaultTimeouts)) {
      expect(value).toBeGreaterThan(0);
      expect(scaled[name as keyof typeof scaled]).toBe(value * 2);
    }
  });

  it('applies overrides and refuses unknown names and bad values instead of dropping them', () => {
    expect(resolveTimeouts({ drainNode: 1_000 }).drainNode).toBe(1_000);
    expect(() => resolveTimeouts({ drainNodes: 1_000 })).toThrow(/bad timeout override .* — use names from/);
    expect(() => resolveTimeouts({ gone: -1 })).toThrow(/at gone/);
    expect(() => resolveTimeouts({}, 0)).toThrow(/not a positive number/);
  });
});
