import type { WeightsProbe } from './probe-figures.ts';
import { el, percent, svgDocument, text, tooltip } from './svg.ts';

export interface BackendShare {
  name: string;
  count: number;
  expected: number | null;
  observed: number;
  low: number | null;
  high: number | null;
}

/**
 * One row per backend, expected first then every backend that answered: a backend the route should not
 * reach but did is as interesting as one that never answered. The observed share is the probe's own
 * estimate when it gives an interval, else count / requests.
 */
export function backendShares(w: WeightsProbe): BackendShare[] {
  const names = [...new Set([...Object.keys(w.expected), ...Object.keys(w.counts)])];
  return names.map((name) => {
    const count = w.counts[name] ?? 0;
    const ci = w.interval?.[name];
    return {
      name,
      count,
      expected: w.expected[name] ?? null,
      observed: ci?.share ?? (w.requests > 0 ? count / w.requests : 0),
      low: ci?.low ?? null,
      high: ci?.high ?? null,
    };
  });
}

const W = 720;
const LEFT = 130;
const RIGHT = 150;
const ROW = 46;

/** The weight split: per backend, expected share (grey) vs observed share (blue) with its confidence interval. */
export function renderWeightSplit(
  w: WeightsProbe,
  { title = 'Weight split' }: { title?: string } = {},
): string {
  const rows = backendShares(w);
  const plotW = W - LEFT - RIGHT;
  const x = (share: number) => LEFT + Math.min(1, Math.max(0, share)) * plotW;
  const top = 50;
  const axisY = top + Math.max(rows.length, 1) * ROW + 4;
  const height = axisY + 50;
  const body: string[] = [];

  body.push(text({ x: 12, y: 20, 'font-size': 14, 'font-weight': 'bold' }, title));
  const s = w.settings;
  body.push(
    text(
      { x: 12, y: 36, fill: '#555555', class: 'confidence' },
      `probe verdict: ${w.verdict} · ${w.requests} requests · ` +
        (s === undefined
          ? 'tolerance not recorded'
          : `tolerance ±${(s.delta * 100).toFixed(1)} pp · false fail ≤ ${percent(s.alpha)}, false pass ≤ ${percent(s.beta)}`) +
        ' · bars: 99.9 % Wilson interval',
    ),
  );

  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    const xx = x(share);
    body.push(el('line', { x1: xx, x2: xx, y1: top - 4, y2: axisY, stroke: '#eeeeee' }));
    body.push(text({ x: xx, y: axisY + 14, 'text-anchor': 'middle', fill: '#555555' }, `${share * 100}%`));
  }

  rows.forEach((r, i) => {
    const y = top + i * ROW;
    body.push(text({ x: LEFT - 8, y: y + 20, 'text-anchor': 'end', 'font-weight': 'bold' }, r.name));
    if (s !== undefined && r.expected !== null) {
      // The band the weight test accepts: a true share outside expected ± δ must fail (with probability ≥ 1 − β).
      const lo = Math.max(0, r.expected - s.delta);
      const hi = Math.min(1, r.expected + s.delta);
      body.push(
        el(
          'rect',
          {
            class: 'tolerance',
            'data-backend': r.name,
            x: x(lo),
            y: y - 2,
            width: x(hi) - x(lo),
            height: 36,
            fill: '#c8e6c9',
            'fill-opacity': 0.6,
          },
          tooltip(`${r.name}: tolerance ${percent(lo)} – ${percent(hi)} (expected ± δ)`),
        ),
      );
    }
    if (r.expected !== null) {
      body.push(
        el(
          'rect',
          {
            class: 'expected',
            'data-backend': r.name,
            x: LEFT,
            y,
            width: x(r.expected) - LEFT,
            height: 14,
            fill: '#bdbdbd',
          },
          tooltip(`${r.name}: expected ${percent(r.expected)}`),
        ),
      );
    }
    body.push(
      el(
        'rect',
        {
          class: 'observed',
          'data-backend': r.name,
          x: LEFT,
          y: y + 17,
          width: x(r.observed) - LEFT,
          height: 14,
          fill: r.expected === null && r.count > 0 ? '#c62828' : '#1565c0',
        },
        tooltip(`${r.name}: observed ${percent(r.observed)} (${r.count} of ${w.requests})`),
      ),
    );
    if (r.low !== null && r.high !== null) {
      const cy = y + 24;
      body.push(
        el('g', { class: 'interval', 'data-backend': r.name, stroke: '#000000', 'stroke-width': 1.5 }, [
          el('line', { x1: x(r.low), x2: x(r.high), y1: cy, y2: cy }),
          el('line', { x1: x(r.low), x2: x(r.low), y1: cy - 5, y2: cy + 5 }),
          el('line', { x1: x(r.high), x2: x(r.high), y1: cy - 5, y2: cy + 5 }),
          tooltip(`${r.name}: interval ${percent(r.low)} – ${percent(r.high)}`),
        ]),
      );
    }
    const expectedText = r.expected === null ? 'not expected' : `expected ${percent(r.expected)}`;
    body.push(text({ x: W - RIGHT + 8, y: y + 11, fill: '#555555' }, expectedText));
    const ciText = r.low !== null && r.high !== null ? ` [${percent(r.low)}, ${percent(r.high)}]` : '';
    body.push(text({ x: W - RIGHT + 8, y: y + 28 }, `${percent(r.observed)}${ciText}`));
  });
  if (rows.length === 0) body.push(text({ x: LEFT, y: top + 20, fill: '#555555' }, 'no backends'));

  const ly = axisY + 32;
  body.push(el('rect', { x: 12, y: ly - 9, width: 12, height: 10, fill: '#bdbdbd' }));
  body.push(text({ x: 28, y: ly }, 'expected'));
  body.push(el('rect', { x: 100, y: ly - 9, width: 12, height: 10, fill: '#1565c0' }));
  body.push(text({ x: 116, y: ly }, 'observed'));
  body.push(el('line', { x1: 190, x2: 210, y1: ly - 4, y2: ly - 4, stroke: '#000000', 'stroke-width': 1.5 }));
  body.push(text({ x: 214, y: ly }, 'confidence interval'));
  body.push(el('rect', { x: 350, y: ly - 9, width: 12, height: 10, fill: '#c62828' }));
  body.push(text({ x: 366, y: ly }, 'answered but not expected'));
  body.push(el('rect', { x: 540, y: ly - 9, width: 12, height: 10, fill: '#c8e6c9' }));
  body.push(text({ x: 556, y: ly }, 'tolerance (± δ)'));

  return svgDocument(W, height, title, body);
}
