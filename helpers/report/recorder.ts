import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Capability } from '../capabilities.ts';
import { renderConnectionTimeline } from './connection-timeline.ts';
import { defaultReportsDir, reportPaths, slug } from './paths.ts';
import { AuthzCell, ConnectionsProbe, Replacement, WeightsProbe } from './probe-figures.ts';
import { attachJson, attachSvg, currentSink, type EvidenceSink, stepTitle } from './step.ts';
import {
  type CheckVerdict,
  type ComponentVersions,
  FragmentRecord,
  type FragmentRecordInput,
  type PlannedStep,
  RunMeta,
  type RunMetaInput,
  type StepMeta,
} from './summary-schema.ts';
import { renderWeightSplit } from './weight-split.ts';

export interface CheckOptions {
  reason?: string;
  required?: boolean;
  /** A check not run because the cluster lacks these capabilities (the verdict is then `control plane only`). */
  missing?: readonly Capability[];
  /** What the check proved on this cluster when that is less than on a full one. */
  basis?: string;
}

export interface RecorderOptions {
  /** Defaults to `AUS_REPORTS_DIR` or `reports`. */
  reportsDir?: string;
  /** Injected by tests; wall time comes from here, never from the step bodies. */
  now?: () => number;
  sink?: EvidenceSink;
}

/** The fragment file of one scenario; the merge reads every `*.jsonl` in the folder. */
export function fragmentPath(reportsDir: string, scenario: string): string {
  return join(reportPaths(reportsDir).summaryParts, `${slug(scenario)}.jsonl`);
}

type RecordInput = FragmentRecordInput extends infer R
  ? R extends FragmentRecordInput
    ? Omit<R, 'scenario' | 'at'>
    : never
  : never;

/**
 * Records one scenario's checks, figures and step timings for the certification summary.
 *
 * vitest runs test files in separate workers, so nothing is held in memory: each call appends one JSON line
 * to `summary-parts/<scenario>.jsonl` (O_APPEND, so concurrent writers never overwrite each other) and
 * `writeSummary` merges the files later. A run that dies half-way still leaves what it recorded.
 */
export class SummaryRecorder {
  readonly scenario: string;
  readonly file: string;
  private readonly now: () => number;
  private readonly sinkOverride: EvidenceSink | undefined;

  constructor(
    scenario: string,
    { reportsDir = defaultReportsDir(), now = Date.now, sink }: RecorderOptions = {},
  ) {
    if (scenario.trim() === '') throw new RangeError('scenario name must not be empty');
    this.scenario = scenario;
    this.file = fragmentPath(reportsDir, scenario);
    this.now = now;
    this.sinkOverride = sink;
  }

  private get sink(): EvidenceSink {
    return this.sinkOverride ?? currentSink();
  }

  private async append(record: RecordInput): Promise<void> {
    // Parse before writing: a malformed record fails the caller now instead of the report later.
    const line = FragmentRecord.parse({ ...record, scenario: this.scenario, at: this.now() });
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify(line)}\n`, 'utf8');
  }

  /**
   * Declares the checks this scenario will make (any not recorded by the end is reported as not run), its
   * deviations from the documented install (which the report lists), and optionally its plan's steps and
   * component versions, which the certification page shows even when the scenario stops early.
   */
  async start(
    plannedChecks: readonly string[] = [],
    plan: {
      deviations?: readonly string[];
      steps?: readonly PlannedStep[];
      components?: readonly ComponentVersions[];
      strategy?: string;
      notes?: readonly string[];
    } = {},
  ): Promise<void> {
    const deviations = plan.deviations ?? [];
    await this.append({
      kind: 'start',
      plannedChecks: [...plannedChecks],
      ...(deviations.length > 0 ? { deviations: [...deviations] } : {}),
      plannedSteps: [...(plan.steps ?? [])],
      components: [...(plan.components ?? [])],
      ...(plan.strategy === undefined ? {} : { strategy: plan.strategy }),
    });
    for (const note of plan.notes ?? []) await this.note(note);
  }

  /** A fact a reader must know to judge this scenario ("webhook admission disabled (kwok)"). */
  async note(text: string): Promise<void> {
    await this.append({ kind: 'note', text });
  }

  async check(
    name: string,
    verdict: CheckVerdict,
    { reason, required = true, missing, basis }: CheckOptions = {},
  ): Promise<void> {
    if (verdict !== 'pass' && (reason === undefined || reason.trim() === '')) {
      throw new RangeError(`check "${name}" is ${verdict}: say why (reason)`);
    }
    if (missing !== undefined && verdict !== 'not-run') {
      throw new RangeError(`check "${name}" is ${verdict}: only a check not run can lack a capability`);
    }
    await this.append({
      kind: 'check',
      check: name,
      verdict,
      required,
      ...(reason === undefined ? {} : { reason }),
      ...(missing === undefined || missing.length === 0 ? {} : { missing: [...missing] }),
      ...(basis === undefined ? {} : { basis }),
    });
  }

  /** The whole scenario did not run (no cluster, a missing feature): every planned check becomes skipped. */
  async skip(reason: string): Promise<void> {
    await this.append({ kind: 'skip', reason });
  }

  /** Something outside any check went wrong (setup threw); the run cannot be certified. */
  async error(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.append({ kind: 'error', message });
  }

  /**
   * One plan step: a named allure step (`030 wait: Istio ready`) whose wall time lands in the summary, with
   * `meta` (what it waited for, patched, drained) for the page's upgrade timeline; `failure` names the failure
   * in a returned value (a failed outcome), so the timeline marks it.
   */
  async step<T>(
    index: number,
    action: string,
    name: string,
    body: () => Promise<T>,
    { failure, ...meta }: StepMeta & { failure?: (value: T) => string | undefined } = {},
  ): Promise<T> {
    const title = stepTitle(index, action, name);
    const started = this.now();
    let status: 'passed' | 'failed' = 'failed';
    let error: string | undefined;
    try {
      const value = await this.sink.step(title, body);
      // A runner reports most failures as a value, not a throw: `failure` reads them off it.
      error = failure?.(value);
      if (error === undefined) status = 'passed';
      return value;
    } catch (thrown) {
      error = (thrown instanceof Error ? thrown.message : String(thrown)).split('\n')[0];
      throw thrown;
    } finally {
      await this.append({
        kind: 'step',
        title,
        durationMs: Math.max(0, this.now() - started),
        status,
        action,
        ...meta,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  /** Weight-split figures; attached to allure as JSON and as the split picture. */
  async weights(check: string, figures: unknown): Promise<void> {
    const parsed = WeightsProbe.parse(figures);
    await this.append({ kind: 'weights', check, figures: parsed });
    const sink = { sink: this.sink };
    await attachJson(`${check}: weights probe`, parsed, sink);
    await attachSvg(
      `${check}: weight split`,
      renderWeightSplit(parsed, { title: `${this.scenario} — ${check}` }),
      sink,
    );
  }

  /** One cell of the allow/deny matrix with its evidence. */
  async authz(check: string, cell: unknown): Promise<void> {
    const parsed = AuthzCell.parse(cell);
    await this.append({ kind: 'authz', check, cell: parsed });
    await attachJson(`${check}: ${parsed.source} → ${parsed.destination}`, parsed, { sink: this.sink });
  }

  /** Connections-probe output plus the ztunnel replacements it lived through; attached with its timeline. */
  async connections(check: string, probe: unknown, replacements: unknown): Promise<void> {
    const parsedProbe = ConnectionsProbe.parse(probe);
    const parsedReplacements = Replacement.array().parse(replacements);
    await this.append({ kind: 'connections', check, probe: parsedProbe, replacements: parsedReplacements });
    const sink = { sink: this.sink };
    await attachJson(
      `${check}: connections probe`,
      { ...parsedProbe, replacements: parsedReplacements },
      sink,
    );
    const svg = renderConnectionTimeline(parsedProbe, parsedReplacements, {
      title: `${this.scenario} — ${check}`,
    });
    await attachSvg(`${check}: connection timeline`, svg, sink);
  }
}

/**
 * Records that a scenario was skipped, where both readers look: the summary fragment and the allure test
 * (allure-vitest reports `ctx.skip(reason)` without the reason, so it goes into the description, a label
 * and an attachment). Call it right before `ctx.skip(reason)`.
 */
export async function recordSkip(
  scenario: string,
  reason: string,
  options: RecorderOptions & { plannedChecks?: readonly string[] } = {},
): Promise<void> {
  const recorder = new SummaryRecorder(scenario, options);
  if (options.plannedChecks !== undefined) await recorder.start(options.plannedChecks);
  await recorder.skip(reason);
  const sink = options.sink ?? currentSink();
  await sink.describe(`**Skipped:** ${reason}`);
  await sink.label('skipReason', reason);
  await sink.attach('skip reason', `${reason}\n`, 'text/plain');
}

/**
 * Records what the run knows about itself (cluster, operator, versions, the scenarios it meant to cover) so
 * `ambient-upgrade report` can rebuild the summary later without being told again. Written atomically.
 */
export async function writeRunMeta(reportsDir: string, meta: RunMetaInput): Promise<void> {
  const file = reportPaths(reportsDir).runMeta;
  const parsed = RunMeta.parse(meta);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(parsed, null, 2)}\n`, 'utf8');
  await rename(tmp, file);
}
