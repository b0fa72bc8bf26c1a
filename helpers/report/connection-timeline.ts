import type { ConnectionsProbe, LongOutcome, Replacement } from './probe-figures.ts';
import { el, formatOffset, svgDocument, text, tickStep, tooltip } from './svg.ts';

/** Outcome colours: green/blue are the good endings, amber/red/purple the ones a drain must not cause. */
export const OUTCOME_COLOURS: Record<LongOutcome, string> = {
  open: '#2e7d32',
  closed: '#1565c0',
  eof: '#f9a825',
  reset: '#c62828',
  timeout: '#6a1b9a',
  error: '#4e342e',
};

const NODE_COLOURS = ['#37474f', '#00838f', '#ad1457', '#ef6c00', '#558b2f', '#4527a0'];

/** Beyond this many rows the picture stops being readable; the rest are counted, not drawn. */
export const MAX_DRAWN_CONNECTIONS = 200;

const W = 960;
const LEFT = 140;
const RIGHT = 24;
const ROW = 14;
const BAR = 10;

export interface TimelineOptions {
  title?: string;
}

/**
 * The connection timeline: one bar per long-lived connection from opened to closed, coloured by outcome,
 * against each ztunnel replacement's SIGTERM, drain deadline and grace end (per node), with new-connection
 * failures as ticks in their own lane. Pure: data in, SVG text out.
 */
export function renderConnectionTimeline(
  probe: ConnectionsProbe,
  replacements: readonly Replacement[],
  { title = 'Connection timeline' }: TimelineOptions = {},
): string {
  const times = [
    ...probe.long.flatMap((c) => [c.opened, c.closed ?? c.opened, c.lastEcho ?? c.opened]),
    ...replacements.flatMap((r) => [r.sigtermAt, r.deadlineAt, r.graceEndAt]),
    ...probe.new.failures.map((f) => f.at),
  ];
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const t1Raw = times.length > 0 ? Math.max(...times) : 1000;
  const t1 = t1Raw > t0 ? t1Raw : t0 + 1000;
  const plotW = W - LEFT - RIGHT;
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * plotW;

  const nodes = [...new Set(replacements.map((r) => r.node))];
  const nodeColour = (node: string) => NODE_COLOURS[nodes.indexOf(node) % NODE_COLOURS.length] ?? '#37474f';

  const drawn = [...probe.long].sort((a, b) => a.opened - b.opened).slice(0, MAX_DRAWN_CONNECTIONS);
  const hidden = probe.long.length - drawn.length;

  const headerH = 40 + nodes.length * 14;
  const rowsTop = headerH + 16;
  const rowsH = Math.max(drawn.length, 1) * ROW;
  const laneTop = rowsTop + rowsH + 10;
  const axisTop = laneTop + 26;
  const legendTop = axisTop + 30;
  const height = legendTop + 40;
  const body: string[] = [];

  body.push(text({ x: 12, y: 20, 'font-size': 14, 'font-weight': 'bold' }, title));
  const start = new Date(t0).toISOString();
  body.push(
    text(
      { x: 12, y: 36, fill: '#555555' },
      `t=0 at ${start} · ${probe.long.length} long-lived connection(s) · ${replacements.length} ztunnel replacement(s)`,
    ),
  );

  // Node labels under the header, each in the colour of its markers.
  nodes.forEach((node, i) => {
    body.push(text({ x: 12, y: 52 + i * 14, fill: nodeColour(node), class: 'node-label' }, `node ${node}`));
  });

  // Axis grid first, so bars and markers draw over it.
  const step = tickStep(t1 - t0);
  for (let t = 0; t <= t1 - t0 + 1e-9; t += step) {
    const xx = x(t0 + t);
    body.push(el('line', { x1: xx, x2: xx, y1: rowsTop, y2: axisTop, stroke: '#eeeeee' }));
    body.push(text({ x: xx, y: axisTop + 14, 'text-anchor': 'middle', fill: '#555555' }, formatOffset(t)));
  }
  body.push(el('line', { x1: LEFT, x2: W - RIGHT, y1: axisTop, y2: axisTop, stroke: '#999999' }));

  drawn.forEach((c, i) => {
    const y = rowsTop + i * ROW;
    const end = c.closed ?? t1;
    const x1 = x(c.opened);
    const width = Math.max(2, x(end) - x1);
    const closedText = c.closed === null ? 'still open at the end' : `closed +${formatOffset(c.closed - t0)}`;
    const echoText = c.lastEcho === null ? 'no echo' : `last echo +${formatOffset(c.lastEcho - t0)}`;
    body.push(text({ x: LEFT - 6, y: y + BAR, 'text-anchor': 'end', 'font-size': 10 }, c.id));
    body.push(
      el(
        'rect',
        {
          class: 'conn',
          'data-id': c.id,
          'data-outcome': c.outcome,
          x: x1,
          y: y + 1,
          width,
          height: BAR,
          rx: 2,
          fill: OUTCOME_COLOURS[c.outcome],
          'fill-opacity': c.closed === null ? 0.55 : 0.9,
        },
        tooltip(`${c.id}: ${c.outcome}; opened +${formatOffset(c.opened - t0)}, ${closedText}, ${echoText}`),
      ),
    );
    if (c.lastEcho !== null) {
      const ex = x(c.lastEcho);
      body.push(
        el('line', { class: 'last-echo', x1: ex, x2: ex, y1: y, y2: y + BAR + 2, stroke: '#000000' }),
      );
    }
  });
  if (drawn.length === 0) {
    body.push(text({ x: LEFT, y: rowsTop + BAR, fill: '#555555' }, 'no long-lived connections recorded'));
  }
  if (hidden > 0) {
    body.push(text({ x: LEFT, y: laneTop - 2, fill: '#555555' }, `${hidden} more connection(s) not drawn`));
  }

  // Markers: SIGTERM solid, drain deadline dashed, grace end dotted — one colour per node.
  const markerKinds = [
    { kind: 'sigterm', at: (r: Replacement) => r.sigtermAt, dash: undefined, label: 'SIGTERM' },
    { kind: 'deadline', at: (r: Replacement) => r.deadlineAt, dash: '6 3', label: 'drain deadline' },
    { kind: 'grace-end', at: (r: Replacement) => r.graceEndAt, dash: '2 3', label: 'grace end' },
  ] as const;
  for (const r of replacements) {
    body.push(
      text(
        {
          x: x(r.sigtermAt) + 3,
          y: rowsTop - 2,
          'font-size': 9,
          fill: nodeColour(r.node),
          class: 'marker-label',
        },
        r.node,
      ),
    );
    for (const m of markerKinds) {
      const xx = x(m.at(r));
      body.push(
        el(
          'line',
          {
            class: `marker ${m.kind}`,
            'data-node': r.node,
            x1: xx,
            x2: xx,
            y1: rowsTop - 4,
            y2: laneTop + 20,
            stroke: nodeColour(r.node),
            'stroke-width': 1.5,
            'stroke-dasharray': m.dash,
          },
          tooltip(`${r.node}: ${m.label} +${formatOffset(m.at(r) - t0)}`),
        ),
      );
    }
  }

  // New-connection lane: a count, and a red tick per failure.
  const n = probe.new;
  body.push(
    text(
      { x: LEFT - 6, y: laneTop + 14, 'text-anchor': 'end', 'font-size': 10 },
      `new: ${n.succeeded}/${n.attempted} ok`,
    ),
  );
  body.push(
    el('rect', {
      x: LEFT,
      y: laneTop + 4,
      width: plotW,
      height: 14,
      fill: n.failed > 0 ? '#fdecea' : '#edf7ed',
    }),
  );
  for (const f of n.failures) {
    const xx = x(f.at);
    body.push(
      el(
        'line',
        {
          class: 'new-failure',
          x1: xx,
          x2: xx,
          y1: laneTop + 2,
          y2: laneTop + 20,
          stroke: '#c62828',
          'stroke-width': 2,
        },
        tooltip(`new connection failed +${formatOffset(f.at - t0)}: ${f.error}`),
      ),
    );
  }

  // Legend.
  let lx = 12;
  for (const outcome of Object.keys(OUTCOME_COLOURS) as LongOutcome[]) {
    body.push(el('rect', { x: lx, y: legendTop, width: 12, height: 10, fill: OUTCOME_COLOURS[outcome] }));
    body.push(text({ x: lx + 16, y: legendTop + 9 }, outcome));
    lx += 70;
  }
  for (const m of markerKinds) {
    body.push(
      el('line', {
        x1: lx,
        x2: lx + 18,
        y1: legendTop + 5,
        y2: legendTop + 5,
        stroke: '#37474f',
        'stroke-width': 1.5,
        'stroke-dasharray': m.dash,
      }),
    );
    body.push(text({ x: lx + 22, y: legendTop + 9 }, m.label));
    lx += 34 + m.label.length * 7;
  }
  body.push(
    el('line', {
      x1: 12,
      x2: 12,
      y1: legendTop + 18,
      y2: legendTop + 32,
      stroke: '#c62828',
      'stroke-width': 2,
    }),
  );
  body.push(text({ x: 18, y: legendTop + 29 }, 'failed new connection'));

  return svgDocument(W, height, title, body);
}
