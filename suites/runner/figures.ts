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
      figure.report,
      figure.replacements.map((r) => ({
        node: r.node,
        sigtermAt: r.sigtermAt,
        deadlineAt: r.sigtermAt + figure.deadlineSeconds * 1000,
        graceEndAt: r.sigtermAt + figure.graceSeconds * 1000,
      })),
    );
  }
}
