import { CAPABILITIES, type Capability } from '../capabilities.ts';
import type {
  CertificationSummary,
  CheckVerdict,
  OverallVerdict,
  ScenarioSummary,
} from './summary-schema.ts';
import { percent } from './svg.ts';

const VERDICT_MARK: Record<CheckVerdict, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  skipped: '⏭️ skipped',
  'not-run': '⬜ not run',
};

const OVERALL_MARK: Record<OverallVerdict, string> = {
  certified: '✅ CERTIFIED',
  'not certified': '❌ NOT CERTIFIED',
  incomplete: '⚠️ INCOMPLETE',
  'control plane only':
    '🔶 CONTROL PLANE ONLY — no certification: the checks this cluster cannot run were not run',
};

/**
 * Table cells hold arbitrary probe text: pipes split cells, newlines end the table, `<` starts HTML. Inside
 * `code spans` entities are shown literally, so only text outside them is entity-escaped (GFM still honours
 * `\|` inside a code span in a table).
 */
export function cell(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/\|/g, '\\|')
        : part
            .replace(/\\/g, '\\\\')
            .replace(/\|/g, '\\|')
            .replace(/</g, '&lt;')
            .replace(/>/g, '&gt;')
            .replace(/\r?\n/g, '<br>'),
    )
    .join('');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** `, lacks data-plane, istiod-controller` for a cluster that declared less than every capability. */
function lacking(capabilities: readonly Capability[] | undefined): string {
  if (capabilities === undefined) return '';
  const missing = CAPABILITIES.filter((c) => !capabilities.includes(c));
  return missing.length === 0 ? '' : `, lacks ${missing.join(', ')}`;
}

function scenarioStatus(s: ScenarioSummary): string {
  switch (s.status) {
    case 'ran':
      return s.checks.some((c) => c.verdict === 'fail') ? '❌ ran, failed' : 'ran';
    case 'skipped':
      return `⏭️ skipped: ${cell(s.skipReason ?? '')}`;
    case 'not-run':
      return '⬜ not run';
    case 'errored':
      return `❌ errored: ${cell(s.errors.join('; '))}`;
  }
}

/**
 * summary.md: what a person reads first (a CI step summary, an artifact, a laptop). Verdict and reasons on
 * top, then the run, the scenario × check matrix, the probe figures with links to their pictures, and the
 * step timings folded away.
 */
export function renderSummaryMarkdown(summary: CertificationSummary): string {
  const { run } = summary;
  const out: string[] = [];
  out.push(`# Certification summary: ${OVERALL_MARK[summary.verdict]}`, '');
  if (summary.reasons.length > 0) {
    const why = summary.verdict === 'certified' ? 'Notes' : 'Why';
    out.push(`**${why}:**`, '');
    for (const r of summary.reasons) out.push(`- ${cell(r)}`);
    out.push('');
  } else {
    out.push('Every check passed and every scenario ran.', '');
  }

  if (summary.notes.length > 0) {
    out.push('**Deviations and facts of this run:**', '');
    for (const n of summary.notes) out.push(`- ${cell(n)}`);
    out.push('');
  }

  const t = summary.totals;
  const totalWall = summary.scenarios.reduce((a, s) => a + s.wallTimeMs, 0);
  const cluster = run.cluster;
  out.push(
    ...table(
      ['Run', ''],
      [
        ['Run id', code(run.runId)],
        [
          'Cluster',
          cluster === null
            ? 'none (no cluster was reached)'
            : cell(
                `${cluster.provider}, Kubernetes ${cluster.kubernetesVersion}, ${cluster.nodeCount} node(s), OpenShift: ${cluster.openshift ? 'yes' : 'no'}${lacking(cluster.capabilities)}`,
              ),
        ],
        [
          'Sail operator',
          run.operator === null ? 'unknown' : `${cell(run.operator.version)} (${code(run.operator.image)})`,
        ],
        ['Istio', run.istio === null ? 'unknown' : cell(`${run.istio.from} → ${run.istio.to}`)],
        ['Checks', `${t.pass} passed, ${t.fail} failed, ${t.skipped} skipped, ${t['not-run']} not run`],
        ['Wall time', duration(totalWall)],
        ['Generated', cell(summary.generatedAt)],
      ],
    ),
    '',
  );

  out.push('## Scenarios', '');
  out.push(
    ...table(
      ['Scenario', 'Status', 'Pass', 'Fail', 'Skipped', 'Not run', 'Wall time'],
      summary.scenarios.map((s) => {
        const n = (v: CheckVerdict) => String(s.checks.filter((c) => c.verdict === v).length);
        return [
          code(s.name),
          scenarioStatus(s),
          n('pass'),
          n('fail'),
          n('skipped'),
          n('not-run'),
          s.status === 'ran' || s.status === 'errored' ? duration(s.wallTimeMs) : '—',
        ];
      }),
    ),
    '',
  );

  const withChecks = summary.scenarios.filter((s) => s.checks.length > 0);
  if (withChecks.length > 0) {
    out.push('## Checks', '');
    out.push(
      ...table(
        ['Scenario', 'Check', 'Verdict', 'Reason'],
        withChecks.flatMap((s) =>
          s.checks.map((c) => [
            code(s.name),
            cell(c.name) + (c.required ? '' : ' (optional)'),
            VERDICT_MARK[c.verdict],
            // The scenario's skip reason is already in the table above; do not repeat it per check.
            s.status === 'skipped' && c.reason === s.skipReason
              ? 'scenario skipped'
              : cell([c.reason, c.basis && `basis: ${c.basis}`].filter(Boolean).join(' — ')),
          ]),
        ),
      ),
      '',
    );
  }

  const weights = summary.scenarios.flatMap((s) => s.weights.map((w) => ({ s, w })));
  if (weights.length > 0) {
    out.push('## Traffic weights', '');
    for (const { s, w } of weights) {
      out.push(
        `**${cell(s.name)} / ${cell(w.check)}**: verdict ${code(w.verdict)}, ${w.requests} requests · [split picture](${w.figure})`,
        '',
      );
      out.push(
        ...table(
          ['Backend', 'Count', 'Expected', 'Observed', 'Interval'],
          w.backends.map((b) => [
            code(b.name),
            String(b.count),
            b.expected === null ? 'not expected' : percent(b.expected),
            percent(b.observed),
            b.low !== null && b.high !== null ? `${percent(b.low)} – ${percent(b.high)}` : '',
          ]),
        ),
        '',
      );
    }
  }

  const authz = summary.scenarios.flatMap((s) => s.authz.map((a) => ({ s, a })));
  if (authz.length > 0) {
    out.push('## Authorization', '');
    for (const { s, a } of authz) {
      out.push(`**${cell(s.name)} / ${cell(a.check)}**`, '');
      out.push(
        ...table(
          ['Source', 'Destination', 'Expected', 'Observed', 'Evidence'],
          a.cells.map((c) => [
            code(c.source),
            code(c.destination),
            c.expected,
            c.observed === c.expected ? c.observed : `❌ ${c.observed}`,
            cell(c.evidence),
          ]),
        ),
        '',
      );
    }
  }

  const conns = summary.scenarios.flatMap((s) => s.connections.map((c) => ({ s, c })));
  if (conns.length > 0) {
    out.push('## Connections through ztunnel replacements', '');
    for (const { s, c } of conns) {
      const outcomes = Object.entries(c.longLived.outcomes)
        .filter(([, n]) => n > 0)
        .map(([o, n]) => `${n} ${o}`)
        .join(', ');
      const n = c.newConnections;
      out.push(
        `**${cell(s.name)} / ${cell(c.check)}** · [timeline](${c.figure})`,
        '',
        `- Long-lived: ${c.longLived.total} (${outcomes === '' ? 'none' : outcomes})`,
        `- New connections: ${n.succeeded} of ${n.attempted} succeeded, ${n.failed} failed`,
        '',
      );
      if (c.replacements.length > 0) {
        out.push(
          ...table(
            ['Node', 'SIGTERM', 'Drain deadline', 'Grace end', 'Drain window'],
            c.replacements.map((r) => [
              code(r.node),
              cell(r.sigtermAt),
              cell(r.deadlineAt),
              cell(r.graceEndAt),
              duration(r.drainWindowMs),
            ]),
          ),
          '',
        );
      }
    }
  }

  const timed = summary.scenarios.filter((s) => s.steps.length > 0);
  if (timed.length > 0) {
    out.push('## Step timings', '');
    for (const s of timed) {
      out.push(
        `<details><summary>${cell(s.name)}: ${s.steps.length} step${s.steps.length === 1 ? '' : 's'}, ${duration(s.wallTimeMs)}</summary>`,
        '',
      );
      out.push(
        ...table(
          ['Step', 'Status', 'Wall time'],
          s.steps.map((st) => [
            cell(st.title),
            st.status === 'passed' ? 'passed' : '❌ failed',
            duration(st.durationMs),
          ]),
        ),
        '',
        '</details>',
        '',
      );
    }
  }

  out.push(
    `<sub>summary.json schema v${summary.schemaVersion} · full evidence in the Allure report</sub>`,
    '',
  );
  return out.join('\n');
}
