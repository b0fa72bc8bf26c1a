import { createWeightTest, type Decision, type Verdict, type WeightTestOptions } from './weight-test.ts';

export interface SimulatedRun {
  decision: Extract<Decision, { state: Verdict }>;
  requests: number;
}

/**
 * Runs the sequential test to its verdict on simulated responses (`draw` returns a backend name, or `null` for a
 * request error). It always ends: at the latest `maxRequests` gives inconclusive.
 */
export function simulateWeightTest(
  expected: Readonly<Record<string, number>>,
  draw: () => string | null,
  options: Partial<WeightTestOptions> = {},
): SimulatedRun {
  const test = createWeightTest(expected, options);
  for (;;) {
    const decision = test.observe(draw());
    if (decision.state !== 'undecided') return { decision, requests: test.observations().requests };
  }
}

/**
 * Replays one stream of draws to several consumers, so two methods can be compared on the same responses: each
 * `reader()` starts at the first draw.
 */
export function sharedDraws(draw: () => string | null): { reader: () => () => string | null } {
  const seen: Array<string | null> = [];
  return {
    reader: () => {
      let index = 0;
      return () => {
        while (seen.length <= index) seen.push(draw());
        const value = seen[index] as string | null;
        index += 1;
        return value;
      };
    },
  };
}
