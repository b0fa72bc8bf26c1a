import type { Step } from '../../helpers/plan/types.ts';
import type { SummaryRecorder } from '../../helpers/report/recorder.ts';
import type { StepOutcome } from './outcome.ts';

interface ConnectionsFigure {
  label: string;
  report: unknown;
  replacements: { node: string; sigtermAt: number }[];
  deadlineSeconds: number;
  graceSeconds: number;
}

interface AuthzFigure {
  client: string;
  method: string;
  url: string;
  expect: 'allow' | 'deny';
  verdict: { verdict: 'allow' | 'deny' | 'error'; evidence: string };
}

/**
 * The probe reports `opened: null` for a long connection whose connect never completed (outcome `error`), but the
 * report's timeline needs a start: draw it as a zero-length attempt at the moment it failed (`closed`, which the
 * probe always sets for an `error`), else at the probe's start. Without this the recorder's schema throws and the
 * failing check loses its verdict in the summary — exactly when the figure matters.
 */
function drawableReport(report: unknown): unknown {
  if (typeof report !== 'object' || report === null || !('long' in report) || !Array.isArray(report.long))
    return report;
  const started = 'started' in report ? report.started : undefined;
  return {
    ...report,
    long: report.long.map((c: unknown) =>
      typeof c === 'object' && c !== null && 'opened' in c && c.opened === null
        ? { ...c, opened: ('closed' in c ? c.closed : null) ?? started }
        : c,
    ),
  };
}

/** Hands a probe's figures to the summary in the shapes the report draws (weight split, authz matrix, timeline). */
export async function recordFigures(
  recorder: SummaryRecorder,
  check: string,
  step: Step,
  outcome: StepOutcome,
): Promise<void> {
  if (step.action !== 'probe' || !outcome.figures) return;
  const { weights, authz, connections } = outcome.figures as {
    weights?: unknown;
    authz?: AuthzFigure;
    connections?: ConnectionsFigure[];
  };
  if (weights) await recorder.weights(check, weights);
  if (authz) {
    await recorder.authz(check, {
      source: authz.client,
      destination: `${authz.method} ${authz.url}`,
      expected: authz.expect,
      observed: authz.verdict.verdict,
      evidence: authz.verdict.evidence,
    });
  }
  for (const figure of connections ?? []) {
    await recorder.connections(
      `${check} (${figure.label})`,
      drawableReport(figure.report),
      figure.replacements.map((r) => ({
        node: r.node,
        sigtermAt: r.sigtermAt,
        deadlineAt: r.sigtermAt + figure.deadlineSeconds * 1000,
        graceEndAt: r.sigtermAt + figure.graceSeconds * 1000,
      })),
    );
  }
}
