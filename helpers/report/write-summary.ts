import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { renderCertificationPage } from './certification-page.ts';
import { renderConnectionTimeline } from './connection-timeline.ts';
import { reportPaths } from './paths.ts';
import { buildSummary, type FigureSpec, type Fragment } from './summary.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';
import { type CertificationSummary, FragmentRecord, RunMeta, type RunMetaInput } from './summary-schema.ts';
import { renderWeightSplit } from './weight-split.ts';

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** Reads every `summary-parts/*.jsonl`; a line that does not parse becomes a problem of that scenario. */
export async function readFragments(reportsDir: string): Promise<Fragment[]> {
  const dir = reportPaths(reportsDir).summaryParts;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const fragments: Fragment[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    const records: FragmentRecord[] = [];
    const problems: string[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        records.push(FragmentRecord.parse(JSON.parse(line)));
      } catch (error) {
        const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
        problems.push(`${name} line ${i + 1} is unreadable (${why})`);
      }
    });
    fragments.push({ scenario: records[0]?.scenario ?? basename(name, '.jsonl'), records, problems });
  }
  return fragments;
}

/** The run's recorded metadata, if any; a run with no cluster still needs an id, so one is made up. */
export async function readRunMeta(reportsDir: string): Promise<RunMeta | undefined> {
  try {
    return RunMeta.parse(JSON.parse(await readFile(reportPaths(reportsDir).runMeta, 'utf8')));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new Error(`${reportPaths(reportsDir).runMeta} is unreadable`, { cause: error });
  }
}

async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, file);
}

function renderFigure(f: FigureSpec): string {
  return f.kind === 'weights'
    ? renderWeightSplit(f.figures, { title: f.title })
    : renderConnectionTimeline(f.probe, f.replacements, { title: f.title });
}

export interface WrittenSummary {
  summary: CertificationSummary;
  json: string;
  markdown: string;
  /** certification.html: the page to open first. */
  page: string;
  figures: string[];
}

export interface WriteSummaryOptions {
  now?: () => Date;
  /** The Allure report relative to the reports folder, linked from the page once it exists. */
  allureHref?: string;
}

/**
 * Merges the fragments into `summary.json`, `summary.md` and `certification.html` (plus `figures/*.svg`, also
 * inlined in the page). Safe to call from a cleanup hook after a failure and again from `ambient-upgrade
 * report`: it only reads fragments and overwrites its own outputs. `runMeta` wins over the recorded `_run.json`.
 */
export async function writeSummary(
  reportsDir: string,
  runMeta?: RunMetaInput,
  { now = () => new Date(), allureHref }: WriteSummaryOptions = {},
): Promise<WrittenSummary> {
  const paths = reportPaths(reportsDir);
  const run =
    runMeta !== undefined
      ? RunMeta.parse(runMeta)
      : ((await readRunMeta(reportsDir)) ?? RunMeta.parse({ runId: `unrecorded-${now().toISOString()}` }));
  const fragments = await readFragments(reportsDir);
  const { summary, figures } = buildSummary(run, fragments, { generatedAt: now().toISOString() });

  const written: string[] = [];
  const rendered = new Map<string, string>();
  for (const f of figures) {
    const file = join(reportsDir, f.path);
    const svg = renderFigure(f);
    rendered.set(f.path, svg);
    await writeAtomic(file, svg);
    written.push(file);
  }
  await writeAtomic(paths.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
  await writeAtomic(paths.summaryMd, renderSummaryMarkdown(summary));
  await writeAtomic(
    paths.certification,
    renderCertificationPage(summary, {
      figures: rendered,
      ...(allureHref === undefined ? {} : { allureHref }),
    }),
  );
  return {
    summary,
    json: paths.summaryJson,
    markdown: paths.summaryMd,
    page: paths.certification,
    figures: written,
  };
}
