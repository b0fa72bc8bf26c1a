import { describe, expect, it } from 'vitest';
import {
  MAX_DRAWN_CONNECTIONS,
  renderConnectionTimeline,
} from '../../../helpers/report/connection-timeline.ts';
import { ConnectionsProbe, Replacement, WeightsProbe } from '../../../helpers/report/probe-figures.ts';
import { esc, num } from '../../../helpers/report/svg.ts';
import { backendShares, renderWeightSplit } from '../../../helpers/report/weight-split.ts';
import {
  assertWellFormed,
  at,
  connectionsProbe,
  elements,
  replacements,
  weightsProbe,
  withClass,
} from './fixtures.ts';

const probe = ConnectionsProbe.parse(connectionsProbe);
const reps = Replacement.array().parse(replacements);

describe('connection timeline SVG', () => {
  const svg = renderConnectionTimeline(probe, reps, { title: 'inplace — ztunnel drain' });

  it('is well-formed XML', () => {
    expect(() => assertWellFormed(svg)).not.toThrow();
  });

  it('draws one bar per long-lived connection, coloured by its outcome', () => {
    const bars = withClass(elements(svg, 'rect'), 'conn');
    expect(bars.map((b) => [b['@_data-id'], b['@_data-outcome']])).toEqual([
      ['c1', 'closed'],
      ['c2', 'reset'],
      ['c3', 'open'],
    ]);
    expect(new Set(bars.map((b) => b['@_fill'])).size).toBe(3);
  });

  it('draws SIGTERM, drain deadline and grace end markers for every replacement, per node', () => {
    const lines = elements(svg, 'line');
    for (const kind of ['sigterm', 'deadline', 'grace-end']) {
      expect(withClass(lines, kind).map((l) => l['@_data-node'])).toEqual(['worker-1', 'worker-2']);
    }
  });

  it('places markers in time order: a later SIGTERM is further right', () => {
    const sigterms = withClass(elements(svg, 'line'), 'sigterm').map((l) => Number(l['@_x1']));
    const deadlines = withClass(elements(svg, 'line'), 'deadline').map((l) => Number(l['@_x1']));
    expect(sigterms[0]).toBeLessThan(sigterms[1] ?? Number.NaN);
    expect(sigterms[0]).toBeLessThan(deadlines[0] ?? Number.NaN);
  });

  it('marks each new-connection failure with a tick', () => {
    expect(withClass(elements(svg, 'line'), 'new-failure')).toHaveLength(2);
  });

  it('escapes text from the probe (ids, errors, node names)', () => {
    const nasty = renderConnectionTimeline(
      ConnectionsProbe.parse({
        long: [{ id: '<b>&"x"', opened: at(0), closed: at(1), outcome: 'eof', lastEcho: null }],
        new: {
          attempted: 1,
          succeeded: 0,
          failed: 1,
          failures: [{ at: at(1), error: '</svg><script>\u0001' }],
        },
      }),
      [{ node: "n'<1>", sigtermAt: at(0), deadlineAt: at(1), graceEndAt: at(2) }],
      { title: 'a & b' },
    );
    expect(() => assertWellFormed(nasty)).not.toThrow();
    expect(nasty).not.toContain('<script>');
    // The parser decodes entities: the id round-trips exactly, so it was escaped, not mangled.
    expect(withClass(elements(nasty, 'rect'), 'conn')[0]?.['@_data-id']).toBe('<b>&"x"');
  });

  it('stays well-formed with nothing to draw', () => {
    const empty = renderConnectionTimeline(
      ConnectionsProbe.parse({ long: [], new: { attempted: 0, succeeded: 0, failed: 0, failures: [] } }),
      [],
    );
    expect(() => assertWellFormed(empty)).not.toThrow();
    expect(empty).toContain('no long-lived connections recorded');
  });

  it('caps the rows it draws and says how many it left out', () => {
    const many = ConnectionsProbe.parse({
      long: Array.from({ length: MAX_DRAWN_CONNECTIONS + 5 }, (_, i) => ({
        id: i,
        opened: at(i / 10),
        closed: at(30),
        outcome: 'closed',
        lastEcho: null,
      })),
      new: { attempted: 0, succeeded: 0, failed: 0, failures: [] },
    });
    const out = renderConnectionTimeline(many, []);
    expect(withClass(elements(out, 'rect'), 'conn')).toHaveLength(MAX_DRAWN_CONNECTIONS);
    expect(out).toContain('5 more connection(s) not drawn');
  });

  it('accepts ISO timestamps as probes in pods print them', () => {
    const parsed = ConnectionsProbe.parse({
      long: [
        { id: 'x', opened: '2025-11-25T10:00:00Z', closed: '2025-11-25T10:00:05.500Z', outcome: 'closed' },
      ],
      new: { attempted: 0, succeeded: 0, failed: 0, failures: [] },
    });
    expect(parsed.long[0]?.closed).toBe(at(5.5));
  });
});

describe('weight split SVG', () => {
  const parsed = WeightsProbe.parse(weightsProbe);
  const svg = renderWeightSplit(parsed, { title: 'reviews 90/10' });

  it('is well-formed XML with an expected bar, an observed bar and an interval per backend', () => {
    expect(() => assertWellFormed(svg)).not.toThrow();
    const rects = elements(svg, 'rect');
    expect(withClass(rects, 'expected').map((r) => r['@_data-backend'])).toEqual(['v1', 'v2']);
    expect(withClass(rects, 'observed').map((r) => r['@_data-backend'])).toEqual(['v1', 'v2']);
    expect(withClass(elements(svg, 'g'), 'interval')).toHaveLength(2);
  });

  it('draws bar lengths in proportion to the shares', () => {
    const observed = withClass(elements(svg, 'rect'), 'observed').map((r) => Number(r['@_width']));
    const [v1, v2] = observed;
    expect((v1 ?? 0) / (v2 ?? 1)).toBeCloseTo(0.897 / 0.103, 1);
  });

  it('shows a backend that answered but was not expected, and uses count / requests without an interval', () => {
    const shares = backendShares(
      WeightsProbe.parse({ verdict: 'fail', requests: 10, counts: { v1: 7, v3: 3 }, expected: { v1: 1 } }),
    );
    expect(shares).toEqual([
      { name: 'v1', count: 7, expected: 1, observed: 0.7, low: null, high: null },
      { name: 'v3', count: 3, expected: null, observed: 0.3, low: null, high: null },
    ]);
  });

  it('survives zero requests', () => {
    const out = renderWeightSplit(
      WeightsProbe.parse({ verdict: 'inconclusive', requests: 0, counts: {}, expected: { v1: 1 } }),
    );
    expect(() => assertWellFormed(out)).not.toThrow();
  });
});

describe('svg primitives', () => {
  it('escapes markup and control characters', () => {
    expect(esc(`<a href="x">'&'</a>\u0007`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\ufffd',
    );
  });

  it('never writes NaN or Infinity as a coordinate', () => {
    expect(num(Number.NaN)).toBe('0');
    expect(num(Number.POSITIVE_INFINITY)).toBe('0');
    expect(num(1.23456)).toBe('1.23');
  });
});
