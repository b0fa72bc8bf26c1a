import type { CheckVerdict, ScenarioSummary } from './summary-schema.ts';
import { el, formatOffset, svgDocument, text, tickStep, tooltip } from './svg.ts';

/** Bar colours per plan action; a failed step is red whatever its action. */
export const ACTION_COLOURS: Record<string, string> = {
  apply: '#558b2f',
  label: '#78909c',
  wait: '#90a4ae',
  upgrade: '#ef6c00',
  drain: '#6a1b9a',
  probe: '#1565c0',
  delete: '#78909c',
};
const FAILED = '#c62828';
const NODE_COLOURS = ['#37474f', '#00838f', '#ad1457', '#ef6c00', '#558b2f', '#4527a0'];

const W = 960;
const LEFT = 330;
const RIGHT = 70;
const ROW = 18;
const BAR = 12;

function short(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 120 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
}

interface Bar {
  label: string;
  start: number;
  end: number;
  colour: string;
  failed: boolean;
  tip: string;
  kind: 'step' | 'probe-window';
}

/** The verdict of the check a step is, by plan id (`030 …`), when it is one. */
function checkVerdictOf(s: ScenarioSummary, id: string | undefined): CheckVerdict | undefined {
  if (id === undefined) return undefined;
  return s.checks.find((c) => c.name.startsWith(`${id} `))?.verdict;
}

function stepId(title: string, id: string | undefined): string | undefined {
  return id ?? /^(\d{3,})\s/.exec(title)?.[1];
}

/**
 * The upgrade timeline of one scenario, a Gantt chart: one bar per plan step that ran (wall time, coloured by
 * action: waits, upgrade patches, drains, probes), failures in red with their error; connection-probe windows as
 * bands; ztunnel SIGTERMs (solid) and drain deadlines (dashed) as lines per node; planned steps that never ran
 * listed as such. Returns undefined when no step carries a start time (nothing to place on an axis).
 */
export function renderUpgradeTimeline(
  s: ScenarioSummary,
  { title }: { title?: string } = {},
): string | undefined {
  const bars: Bar[] = [];
  for (const st of s.steps) {
    if (st.startedAt === undefined) continue;
    const start = Date.parse(st.startedAt);
    if (!Number.isFinite(start)) continue;
    const id = stepId(st.title, st.id);
    const verdict = checkVerdictOf(s, id);
    const failed = st.status === 'failed' || verdict === 'fail';
    const action = st.action ?? /^\d+\s+([a-z-]+):/.exec(st.title)?.[1] ?? 'step';
    const why = st.error ?? s.checks.find((c) => id !== undefined && c.name.startsWith(`${id} `))?.reason;
    bars.push({
      label: st.title,
      start,
      end: start + st.durationMs,
      colour: failed ? FAILED : (ACTION_COLOURS[action] ?? '#607d8b'),
      failed,
      kind: 'step',
      tip: [
        st.title,
        st.detail,
        `${seconds(st.durationMs)}${failed ? ' — FAILED' : ''}`,
        failed ? why : undefined,
      ]
        .filter((x): x is string => x !== undefined && x !== '')
        .join('\n'),
    });
  }
  if (bars.length === 0) return undefined;
  for (const c of s.connections) {
    if (c.window === undefined) continue;
    const start = Date.parse(c.window.start);
    const end = Date.parse(c.window.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    bars.push({
      label: `probe window: ${c.check}`,
      start,
      end,
      colour: '#1565c0',
      failed: false,
      kind: 'probe-window',
      tip: `connections probe ${c.check}: long-lived connections from ${c.window.start} to ${c.window.end}`,
    });
  }
  const markers = s.connections.flatMap((c) =>
    c.replacements.flatMap((r) => [
      { node: r.node, at: Date.parse(r.sigtermAt), kind: 'sigterm' as const, check: c.check },
      { node: r.node, at: Date.parse(r.deadlineAt), kind: 'deadline' as const, check: c.check },
    ]),
  );
  // The same replacement is often seen by several probe groups: draw it once.
  const uniqueMarkers = [
    ...new Map(
      markers.filter((m) => Number.isFinite(m.at)).map((m) => [`${m.kind}|${m.node}|${m.at}`, m]),
    ).values(),
  ];
  const nodes = [...new Set(uniqueMarkers.map((m) => m.node))];
  const nodeColour = (node: string) => NODE_COLOURS[nodes.indexOf(node) % NODE_COLOURS.length] ?? '#37474f';

  const times = [...bars.flatMap((b) => [b.start, b.end]), ...uniqueMarkers.map((m) => m.at)];
  const t0 = Math.min(...times);
  const t1 = Math.max(Math.max(...times), t0 + 1000);
  const plotW = W - LEFT - RIGHT;
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * plotW;

  const ran = new Set(s.steps.map((st) => stepId(st.title, st.id)));
  const notRun = s.plannedSteps.filter((p) => !ran.has(p.id));
  const top = 44 + (nodes.length > 0 ? 16 : 0);
  const rowsH = bars.length * ROW;
  const notRunTop = top + rowsH + 8;
  const axisY = notRunTop + (notRun.length > 0 ? 14 + Math.min(notRun.length, 12) * 13 : 0) + 6;
  const legendY = axisY + 34;
  const height = legendY + 16;
  const body: string[] = [];
  const heading = title ?? `${s.name} — upgrade timeline`;
  body.push(text({ x: 12, y: 20, 'font-size': 14, 'font-weight': 'bold' }, heading));
  const failedCount = bars.filter((b) => b.failed).length;
  body.push(
    text(
      { x: 12, y: 36, fill: failedCount > 0 ? FAILED : '#555555' },
      `t=0 at ${new Date(t0).toISOString()} · ${s.steps.length} step(s) ran in ${seconds(t1 - t0)}` +
        `${failedCount > 0 ? ` · ${failedCount} failed` : ''}${notRun.length > 0 ? ` · ${notRun.length} not run` : ''}`,
    ),
  );
  nodes.forEach((node, i) => {
    body.push(text({ x: LEFT + i * 140, y: 52, fill: nodeColour(node), 'font-size': 11 }, `node ${node}`));
  });

  const step = tickStep(t1 - t0);
  for (let t = 0; t <= t1 - t0 + 1e-9; t += step) {
    const xx = x(t0 + t);
    body.push(el('line', { x1: xx, x2: xx, y1: top - 4, y2: axisY, stroke: '#eeeeee' }));
    body.push(text({ x: xx, y: axisY + 14, 'text-anchor': 'middle', fill: '#555555' }, formatOffset(t)));
  }
  body.push(el('line', { x1: LEFT, x2: W - RIGHT, y1: axisY, y2: axisY, stroke: '#999999' }));

  bars.forEach((b, i) => {
    const y = top + i * ROW;
    if (i % 2 === 1) body.push(el('rect', { x: 0, y, width: W, height: ROW, fill: '#fafafa' }));
    body.push(
      text(
        {
          x: LEFT - 8,
          y: y + BAR,
          'text-anchor': 'end',
          'font-size': 11,
          fill: b.failed ? FAILED : '#212121',
          'font-style': b.kind === 'probe-window' ? 'italic' : undefined,
        },
        `${b.failed ? '✖ ' : ''}${short(b.label, 52)}`,
      ),
    );
    const x1 = x(b.start);
    const width = Math.max(2, x(b.end) - x1);
    body.push(
      el(
        'rect',
        {
          class: b.kind === 'step' ? `step${b.failed ? ' failed' : ''}` : 'probe-window',
          x: x1,
          y: y + 2,
          width,
          height: BAR,
          rx: 2,
          fill: b.colour,
          'fill-opacity': b.kind === 'probe-window' ? 0.25 : 0.9,
          stroke: b.failed ? '#7f0000' : undefined,
        },
        tooltip(b.tip),
      ),
    );
    if (b.kind === 'step') {
      body.push(
        text({ x: x1 + width + 4, y: y + BAR, 'font-size': 10, fill: '#555555' }, seconds(b.end - b.start)),
      );
    }
  });

  for (const m of uniqueMarkers) {
    const xx = x(m.at);
    body.push(
      el(
        'line',
        {
          class: `marker ${m.kind}`,
          'data-node': m.node,
          x1: xx,
          x2: xx,
          y1: top - 4,
          y2: top + rowsH,
          stroke: nodeColour(m.node),
          'stroke-width': 1.5,
          'stroke-dasharray': m.kind === 'deadline' ? '6 3' : undefined,
        },
        tooltip(
          `${m.node}: ${m.kind === 'sigterm' ? 'ztunnel SIGTERM' : 'drain deadline'} +${formatOffset(m.at - t0)}`,
        ),
      ),
    );
  }

  if (notRun.length > 0) {
    body.push(
      text(
        { x: 12, y: notRunTop + 10, 'font-size': 11, 'font-weight': 'bold', fill: '#555555' },
        `not run (${notRun.length}):`,
      ),
    );
    notRun.slice(0, 12).forEach((p, i) => {
      body.push(
        text(
          { x: 24, y: notRunTop + 24 + i * 13, 'font-size': 10, fill: '#757575', class: 'not-run' },
          short(p.title, 120),
        ),
      );
    });
    if (notRun.length > 12) {
      body.push(
        text(
          { x: 24, y: notRunTop + 24 + 12 * 13, 'font-size': 10, fill: '#757575' },
          `… and ${notRun.length - 12} more`,
        ),
      );
    }
  }

  let lx = 12;
  for (const [action, colour] of Object.entries({
    wait: ACTION_COLOURS.wait,
    'upgrade patch': ACTION_COLOURS.upgrade,
    drain: ACTION_COLOURS.drain,
    probe: ACTION_COLOURS.probe,
    apply: ACTION_COLOURS.apply,
    failed: FAILED,
  })) {
    body.push(el('rect', { x: lx, y: legendY - 9, width: 12, height: 10, fill: colour ?? '#607d8b' }));
    body.push(text({ x: lx + 16, y: legendY }, action));
    lx += 30 + action.length * 7;
  }
  body.push(
    el('rect', { x: lx, y: legendY - 9, width: 12, height: 10, fill: '#1565c0', 'fill-opacity': 0.25 }),
  );
  body.push(text({ x: lx + 16, y: legendY }, 'probe window'));
  lx += 110;
  body.push(el('line', { x1: lx, x2: lx + 18, y1: legendY - 4, y2: legendY - 4, stroke: '#37474f' }));
  body.push(text({ x: lx + 22, y: legendY }, 'SIGTERM'));
  lx += 84;
  body.push(
    el('line', {
      x1: lx,
      x2: lx + 18,
      y1: legendY - 4,
      y2: legendY - 4,
      stroke: '#37474f',
      'stroke-dasharray': '6 3',
    }),
  );
  body.push(text({ x: lx + 22, y: legendY }, 'drain deadline'));

  return svgDocument(W, height, heading, body);
}
