import { checkOfFigure } from './summary.ts';
import { duration } from './summary-markdown.ts';
import type { CertificationSummary, CheckResult, CheckVerdict, ScenarioSummary } from './summary-schema.ts';
import { esc, percent } from './svg.ts';
import { renderUpgradeTimeline } from './upgrade-timeline.ts';
import { type OverallVerdict, VERDICT_MEANING } from './verdict.ts';

/** A summary as the page reads it. */
export type PageSummary = CertificationSummary;

export interface PageOptions {
  /** Rendered figures by their path in the summary (`figures/…svg`): inlined, so the page is one file. */
  figures?: ReadonlyMap<string, string>;
  /** The Allure report relative to the page, for the drill-down link; omitted when there is none. */
  allureHref?: string;
}

// The sentence under the verdict is the rule's own (verdict.ts), so page, summary and console agree.
const VERDICT_STYLE: Record<OverallVerdict, { label: string; colour: string; background: string }> = {
  certified: {
    label: 'CERTIFIED',
    colour: '#1b5e20',
    background: '#e8f5e9',
  },
  'not certified': {
    label: 'NOT CERTIFIED',
    colour: '#b71c1c',
    background: '#ffebee',
  },
  incomplete: {
    label: 'INCOMPLETE',
    colour: '#8d4b00',
    background: '#fff3e0',
  },
  'control plane only': {
    label: 'CONTROL PLANE ONLY',
    colour: '#0d47a1',
    background: '#e3f2fd',
  },
};

const CHECK_STYLE: Record<CheckVerdict, { mark: string; label: string; cls: string }> = {
  pass: { mark: '✔', label: 'pass', cls: 'pass' },
  fail: { mark: '✖', label: 'fail', cls: 'fail' },
  skipped: { mark: '⏭', label: 'skipped', cls: 'skipped' },
  'not-run': { mark: '–', label: 'not run', cls: 'not-run' },
};

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212121;background:#fff}
main{max-width:1040px;margin:0 auto;padding:16px 20px 48px}
h1{font-size:15px;font-weight:600;color:#555;margin:0 0 6px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.verdict{border-radius:8px;padding:14px 18px;margin:0 0 12px}
.verdict .word{font-size:34px;font-weight:800;letter-spacing:.02em;margin:0}
.verdict .blurb{margin:2px 0 8px}
.verdict ul{margin:6px 0 0 0;padding-left:20px}
table{border-collapse:collapse;margin:6px 0;width:100%}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #eee}
th{background:#fafafa;font-weight:600}
table.facts th{width:190px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f5f5f5;padding:1px 4px;border-radius:3px}
.pass{color:#1b5e20}.fail{color:#b71c1c;font-weight:600}.skipped{color:#8d4b00}.not-run{color:#757575}
.cells a{display:inline-block;width:22px;height:22px;line-height:22px;text-align:center;margin:1px;border-radius:3px;text-decoration:none;font-size:13px}
.cells a.pass{background:#c8e6c9}.cells a.fail{background:#ef9a9a;color:#7f0000}.cells a.skipped{background:#ffe0b2}.cells a.not-run{background:#eeeeee}
.notes{background:#fffde7;border:1px solid #fff59d;border-radius:6px;padding:8px 12px 8px 28px}
figure{margin:10px 0 18px}figure svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-weight:600;margin-bottom:4px}
.muted{color:#757575}
.evidence{border-left:3px solid #e0e0e0;padding-left:10px;margin:8px 0}
footer{margin-top:32px;color:#757575;font-size:12px}
`;

function h(text: string): string {
  return esc(text);
}

/** Anchor ids from arbitrary names: stable, unique enough, safe in a URL fragment. */
export function anchor(...parts: string[]): string {
  return parts
    .join('--')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function checkAnchor(s: ScenarioSummary, c: CheckResult): string {
  return anchor('check', s.name, c.name);
}

function verdictCell(v: CheckVerdict): string {
  const st = CHECK_STYLE[v];
  return `<span class="${st.cls}">${st.mark} ${st.label}</span>`;
}

function scenarioState(s: ScenarioSummary): string {
  switch (s.status) {
    case 'ran':
      return s.checks.some((c) => c.verdict === 'fail')
        ? '<span class="fail">ran, failed</span>'
        : s.checks.every((c) => c.verdict === 'pass')
          ? '<span class="pass">ran, passed</span>'
          : '<span class="skipped">ran, incomplete</span>';
    case 'skipped':
      return `<span class="skipped">skipped</span>`;
    case 'not-run':
      return '<span class="not-run">not run</span>';
    case 'errored':
      return '<span class="fail">could not run (error)</span>';
  }
}

function runFacts(summary: PageSummary): string {
  const { run } = summary;
  const c = run.cluster;
  const wall = summary.scenarios.reduce((a, s) => a + s.wallTimeMs, 0);
  const t = summary.totals;
  const strategies = summary.scenarios
    .filter((s) => s.strategy !== undefined)
    .map((s) => `<code>${h(s.name)}</code> ${h(s.strategy ?? '')}`);
  const rows: [string, string][] = [
    [
      'Cluster',
      c === null
        ? 'none reached'
        : `${h(c.provider)} · ${c.nodeCount} node(s)${c.openshift ? ' · OpenShift' : ''}`,
    ],
    ['Kubernetes', c === null ? '—' : h(c.kubernetesVersion)],
    [
      'Sail operator',
      run.operator === null ? 'unknown' : `${h(run.operator.version)} <code>${h(run.operator.image)}</code>`,
    ],
    ['Istio', run.istio === null ? 'unknown' : `${h(run.istio.from)} → ${h(run.istio.to)}`],
    [
      'Strategy',
      strategies.length > 0
        ? strategies.join(' · ')
        : `not recorded${run.scenarios.length > 0 ? ` (scenarios: ${run.scenarios.map(h).join(', ')})` : ''}`,
    ],
    ['Run id', `<code>${h(run.runId)}</code>`],
    ['Started', h(run.startedAt ?? summary.scenarios.find((s) => s.startedAt)?.startedAt ?? 'not recorded')],
    ['Wall time', duration(wall)],
    ['Checks', `${t.pass} passed · ${t.fail} failed · ${t.skipped} skipped · ${t['not-run']} not run`],
  ];
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function components(summary: PageSummary): string {
  const rows = summary.scenarios.flatMap((s) => s.components.map((c) => ({ s, c })));
  if (rows.length === 0)
    return '<p class="muted">No component versions were recorded (no scenario ran a plan).</p>';
  return `<table><tr><th>Scenario</th><th>Component</th><th>Before</th><th>After</th><th>Confirmed by</th></tr>${rows
    .map(({ s, c }) => {
      const check = c.confirmedBy === undefined ? undefined : s.checks.find((x) => x.name === c.confirmedBy);
      const confirmed =
        c.confirmedBy === undefined
          ? '<span class="muted">no confirming check</span>'
          : check === undefined
            ? `${h(c.confirmedBy)} <span class="muted">(no verdict)</span>`
            : `<a href="#${checkAnchor(s, check)}">${h(c.confirmedBy)}</a> ${verdictCell(check.verdict)}`;
      return `<tr><td><code>${h(s.name)}</code></td><td>${h(c.component)}</td><td>${h(c.before ?? '—')}</td><td>${h(
        c.after ?? 'unchanged',
      )}</td><td>${confirmed}</td></tr>`;
    })
    .join(
      '',
    )}</table><p class="muted">Versions as the plan installs and patches them; the confirming check says whether the cluster reached them.</p>`;
}

function matrix(summary: PageSummary): string {
  if (summary.scenarios.length === 0) return '<p class="muted">No scenario recorded anything.</p>';
  const rows = summary.scenarios.map((s) => {
    const n = (v: CheckVerdict) => s.checks.filter((c) => c.verdict === v).length;
    const cells =
      s.checks.length === 0
        ? '<span class="muted">no checks</span>'
        : s.checks
            .map(
              (c) =>
                `<a class="${CHECK_STYLE[c.verdict].cls}" href="#${checkAnchor(s, c)}" title="${h(
                  `${c.name}: ${CHECK_STYLE[c.verdict].label}${c.reason ? ` — ${c.reason}` : ''}`,
                )}">${CHECK_STYLE[c.verdict].mark}</a>`,
            )
            .join('');
    const why =
      s.status === 'skipped'
        ? `<div class="muted">${h(s.skipReason ?? '')}</div>`
        : s.status === 'errored'
          ? `<div class="fail">${h(s.errors.join('; '))}</div>`
          : '';
    return `<tr><td><a href="#${anchor('scenario', s.name)}"><code>${h(s.name)}</code></a></td><td>${scenarioState(
      s,
    )}${why}</td><td class="cells">${cells}</td><td>${n('pass')}/${s.checks.length}</td><td>${
      s.wallTimeMs > 0 ? duration(s.wallTimeMs) : '—'
    }</td></tr>`;
  });
  return `<table><tr><th>Scenario</th><th>Status</th><th>Checks (plan order; each links to its evidence)</th><th>Passed</th><th>Wall time</th></tr>${rows.join(
    '',
  )}</table>`;
}

function inlineFigure(path: string, figures: ReadonlyMap<string, string> | undefined): string {
  const svg = figures?.get(path);
  if (svg === undefined) return `<p class="muted">picture ${h(path)} was not rendered</p>`;
  // The SVG is our own markup (every text through esc); inlining keeps the page one file with no requests.
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

/**
 * The evidence of one check as table-cell text; its pictures go to `pictures` (drawn full width below the
 * table, each linked from the cell).
 */
function checkEvidence(s: ScenarioSummary, c: CheckResult, options: PageOptions, pictures: string[]): string {
  const parts: string[] = [];
  const picture = (kind: string, figurePath: string, caption: string) => {
    const id = anchor('picture', s.name, figurePath);
    pictures.push(
      `<figure id="${id}"><figcaption>${caption}</figcaption>${inlineFigure(figurePath, options.figures)}</figure>`,
    );
    parts.push(`<div><a href="#${id}">${kind} ↓</a></div>`);
  };
  const step = s.steps.find((st) => st.id !== undefined && c.name.startsWith(`${st.id} `));
  if (step !== undefined) {
    parts.push(
      `<div>step <code>${h(step.title)}</code> · ${duration(step.durationMs)}${step.detail ? ` · ${h(step.detail)}` : ''}</div>`,
    );
  }
  if (c.reason !== undefined && !(s.status === 'skipped' && c.reason === s.skipReason)) {
    parts.push(`<div class="${CHECK_STYLE[c.verdict].cls}">${h(c.reason)}</div>`);
  }
  if (c.basis !== undefined) parts.push(`<div class="muted">proved on this cluster: ${h(c.basis)}</div>`);
  for (const w of s.weights.filter((x) => checkOfFigure(x.check, [c]) !== undefined)) {
    const st = w.settings;
    picture(
      'weight split',
      w.figure,
      `Weight split — ${h(c.name)}: ${verdictCell(c.verdict)} · probe verdict ${h(w.verdict)}, ${w.requests} requests${
        st === undefined
          ? ''
          : ` · tolerance ±${(st.delta * 100).toFixed(1)} pp · false fail ≤ ${percent(st.alpha)}, false pass ≤ ${percent(st.beta)}`
      }${w.reason ? ` · ${h(w.reason)}` : ''}`,
    );
  }
  for (const a of s.authz.filter((x) => checkOfFigure(x.check, [c]) !== undefined)) {
    parts.push(
      `<table><tr><th>Source</th><th>Destination</th><th>Expected</th><th>Observed</th><th>Evidence</th></tr>${a.cells
        .map(
          (x) =>
            `<tr><td><code>${h(x.source)}</code></td><td><code>${h(x.destination)}</code></td><td>${x.expected}</td><td class="${
              x.observed === x.expected ? 'pass' : 'fail'
            }">${x.observed}</td><td>${h(x.evidence)}</td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  for (const k of s.connections.filter((x) => checkOfFigure(x.check, [c]) !== undefined)) {
    const outcomes = Object.entries(k.longLived.outcomes)
      .filter(([, n]) => n > 0)
      .map(([o, n]) => `${n} ${o}`)
      .join(', ');
    picture(
      'connection timeline',
      k.figure,
      `Connection timeline — ${h(k.check)}: ${verdictCell(c.verdict)} · ${k.longLived.total} long-lived (${
        outcomes || 'none'
      }), new ${k.newConnections.succeeded}/${k.newConnections.attempted} ok, ${k.replacements.length} ztunnel replacement(s)`,
    );
  }
  if (options.allureHref !== undefined && step !== undefined) {
    parts.push(
      `<div class="muted">Drill-down: <a href="${h(options.allureHref)}">Allure report</a>, test <code>${h(step.title)}</code></div>`,
    );
  }
  return parts.join('');
}

function scenarioSection(s: ScenarioSummary, options: PageOptions): string {
  const out: string[] = [];
  out.push(`<h3 id="${anchor('scenario', s.name)}"><code>${h(s.name)}</code> — ${scenarioState(s)}</h3>`);
  if (s.status === 'skipped')
    out.push(`<p class="skipped">Skipped: ${h(s.skipReason ?? 'no reason given')}</p>`);
  if (s.errors.length > 0) {
    out.push(`<ul>${s.errors.map((e) => `<li class="fail">${h(e)}</li>`).join('')}</ul>`);
  }
  if (s.notes.length > 0)
    out.push(`<ul class="notes">${s.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
  const gantt = renderUpgradeTimeline(s, { title: `${s.name} — upgrade timeline` });
  if (gantt !== undefined) out.push(`<figure class="upgrade-timeline">${gantt}</figure>`);
  if (s.checks.length > 0) {
    const pictures: string[] = [];
    out.push(
      `<table><tr><th>Check</th><th>Verdict</th><th>Evidence</th></tr>${s.checks
        .map(
          (c) =>
            `<tr id="${checkAnchor(s, c)}"><td>${h(c.name)}${c.required ? '' : ' <span class="muted">(optional)</span>'}</td><td>${verdictCell(
              c.verdict,
            )}</td><td><div class="evidence">${checkEvidence(s, c, options, pictures) || '<span class="muted">—</span>'}</div></td></tr>`,
        )
        .join('')}</table>`,
      ...pictures,
    );
  }
  return out.join('\n');
}

/**
 * The certification page: one HTML file with no scripts and no external references (styles and pictures
 * inline), readable from file:// or a CI artifact. Verdict and reasons first, then the run, component versions,
 * the scenario × check matrix linking every check to its evidence, and per scenario the upgrade timeline and the
 * probe pictures, each captioned with its check's verdict.
 */
export function renderCertificationPage(summary: PageSummary, options: PageOptions = {}): string {
  const v = VERDICT_STYLE[summary.verdict];
  const reasons =
    summary.reasons.length === 0 ? '' : `<ul>${summary.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`;
  const noteLines = [
    ...summary.notes,
    ...summary.scenarios.flatMap((s) => (s.deviations ?? []).map((d) => `${s.name}: ${d}`)),
  ];
  const notes =
    noteLines.length === 0
      ? ''
      : `<h2>Deviations and facts of this run</h2><ul class="notes">${noteLines
          .map((n) => `<li>${h(n)}</li>`)
          .join('')}</ul>`;
  const allure =
    options.allureHref === undefined
      ? ''
      : ` · <a href="${h(options.allureHref)}">Allure report (every step with its evidence)</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(`${v.label} — ambient upgrade certification ${summary.run.runId}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Istio ambient upgrade certification · ${h(summary.run.istio ? `${summary.run.istio.from} → ${summary.run.istio.to}` : 'versions unknown')}</h1>
<section class="verdict" id="verdict" style="background:${v.background};border-left:6px solid ${v.colour}">
<p class="word" style="color:${v.colour}">${v.label}</p>
<p class="blurb">${h(VERDICT_MEANING[summary.verdict])}</p>
${reasons}
</section>
${notes}
<h2>Run</h2>
${runFacts(summary)}
<h2>Component versions</h2>
${components(summary)}
<h2>Scenarios × checks</h2>
${matrix(summary)}
<h2>Scenarios</h2>
${summary.scenarios.map((s) => scenarioSection(s, options)).join('\n')}
<footer>Generated ${h(summary.generatedAt)} from summary.json (schema v${summary.schemaVersion})${allure}.</footer>
</main>
</body>
</html>
`;
}
