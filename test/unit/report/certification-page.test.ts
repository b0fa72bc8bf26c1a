import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCertificationPage } from '../../../helpers/report/certification-page.ts';
import { waitProgress } from '../../../helpers/report/progress.ts';
import { SummaryRecorder } from '../../../helpers/report/recorder.ts';
import { renderUpgradeTimeline } from '../../../helpers/report/upgrade-timeline.ts';
import { readFragments, writeSummary } from '../../../helpers/report/write-summary.ts';
import { FIXTURES, type FixtureName } from '../../fixtures/report/record.ts';
import { assertWellFormed, elements, recordingSink, tempReportsDir, withClass } from './fixtures.ts';

const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'report');

async function summaryOf(name: FixtureName) {
  const dir = await tempReportsDir();
  await cp(join(FIXTURE_DIR, name), dir, { recursive: true });
  return writeSummary(dir, undefined, { now: () => new Date('2026-11-30T22:00:00.000Z') });
}

describe('recorded fixtures', () => {
  it.each([
    ['certified', 'certified'],
    ['not-certified', 'not certified'],
    ['incomplete', 'incomplete'],
    ['control-plane-only', 'control plane only'],
    ['not-opened', 'not certified'],
  ] as const)('%s decides %s', async (name, verdict) => {
    expect(FIXTURES).toContain(name);
    expect((await summaryOf(name)).summary.verdict).toBe(verdict);
  });
});

describe('certification page', () => {
  it('has no script and no reference outside the file: styles and pictures are inline', async () => {
    const { summary } = await summaryOf('not-certified');
    const html = renderCertificationPage(summary);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(?:src|href)="(?!#)[^"]*"/);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes recorded text (a probe error is arbitrary)', async () => {
    const { summary } = await summaryOf('not-certified');
    const evil = { ...summary, reasons: ['<img src=x onerror=alert(1)> & "quotes"'] };
    const html = renderCertificationPage(evil);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<img src=x');
  });

  it('a scenario that could not be opened shows its error and every check not run, no timeline', async () => {
    const { summary, page } = await summaryOf('not-opened');
    const s = summary.scenarios[0];
    expect(s?.status).toBe('errored');
    expect(s?.checks.every((c) => c.verdict === 'not-run')).toBe(true);
    expect(s && renderUpgradeTimeline(s)).toBeUndefined();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(page, 'utf8')).toContain('could not run (error)');
  });

  it('the upgrade timeline draws one bar per step, the failure marked, SIGTERMs and deadlines per node', async () => {
    const { summary } = await summaryOf('not-certified');
    const s = summary.scenarios[0];
    if (!s) throw new Error('no scenario');
    const svg = renderUpgradeTimeline(s) ?? '';
    assertWellFormed(svg);
    const rects = elements(svg, 'rect');
    expect(withClass(rects, 'step')).toHaveLength(s.steps.length);
    expect(withClass(rects, 'failed')).toHaveLength(1);
    expect(withClass(rects, 'probe-window')).toHaveLength(1);
    const lines = elements(svg, 'line');
    expect(withClass(lines, 'sigterm').map((l) => l['@_data-node'])).toEqual(['worker-1', 'worker-2']);
    expect(withClass(lines, 'deadline')).toHaveLength(2);
  });

  it('every figure is titled with its check’s verdict', async () => {
    const certified = await summaryOf('certified');
    const failed = await summaryOf('not-certified');
    const { readFile } = await import('node:fs/promises');
    const titles = async (files: string[]) =>
      Promise.all(
        files.map(async (f) => /<title>([^<]*)<\/title>/.exec(await readFile(f, 'utf8'))?.[1] ?? ''),
      );
    expect(await titles(certified.figures)).toEqual(
      expect.arrayContaining([expect.stringMatching(/— PASS$/)]),
    );
    const failing = (await titles(failed.figures)).filter((t) => t.includes('connections'));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatch(/— FAIL: c2 reset/);
  });
});

describe('step records for the timeline', () => {
  it('a step whose value says it failed is recorded failed, with the reason, the plan meta and its start', async () => {
    const reportsDir = await tempReportsDir();
    let t = 1_000_000;
    const rec = new SummaryRecorder('s', { reportsDir, now: () => t, sink: recordingSink() });
    await rec.step(
      30,
      'wait',
      'Istio ready',
      async () => {
        t += 5000;
        return { ok: false, summary: 'timed out' };
      },
      {
        id: '030',
        phase: 'setup',
        detail: 'waits for Istio',
        failure: (o) => (o.ok ? undefined : o.summary),
      },
    );
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.records[0]).toMatchObject({
      kind: 'step',
      status: 'failed',
      error: 'timed out',
      action: 'wait',
      id: '030',
      detail: 'waits for Istio',
      durationMs: 5000,
    });
  });
});

describe('progress on long waits', () => {
  it('is quiet for short waits, then says what, elapsed of timeout and the last state, throttled', () => {
    const lines: string[] = [];
    const tick = waitProgress({ write: (l) => lines.push(l), now: () => new Date('2026-01-01T10:00:00Z') });
    const poll = (s: number, last: string) =>
      tick({ what: 'Istio/default Ready', elapsedMs: s * 1000, timeoutMs: 600_000, last });
    poll(2, 'Reconciled=False');
    poll(8, 'Reconciled=False');
    expect(lines).toEqual([]);
    poll(12, 'Reconciled=False');
    expect(lines).toEqual([
      '[10:00:00]   waiting for Istio/default Ready: 12 s of 600 s — last seen: Reconciled=False',
    ]);
    poll(14, 'Reconciled=False');
    poll(15, 'Ready=False'); // changed, but within 5 s of the last line
    expect(lines).toHaveLength(1);
    poll(18, 'Ready=False'); // changed and 6 s later
    poll(30, 'Ready=False');
    poll(48, 'Ready=False'); // 30 s after the last line
    expect(lines.map((l) => l.match(/: (\d+) s of/)?.[1])).toEqual(['12', '18', '48']);
  });

  it('a wait of the same thing that starts over is a new wait', () => {
    const lines: string[] = [];
    const tick = waitProgress({ write: (l) => lines.push(l) });
    tick({ what: 'x', elapsedMs: 20_000, timeoutMs: 60_000, last: 'a' });
    tick({ what: 'x', elapsedMs: 1_000, timeoutMs: 60_000, last: 'a' });
    tick({ what: 'x', elapsedMs: 11_000, timeoutMs: 60_000, last: 'a' });
    expect(lines).toHaveLength(2);
  });
});
