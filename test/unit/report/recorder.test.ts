import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fragmentPath, recordSkip, SummaryRecorder, writeRunMeta } from '../../../helpers/report/recorder.ts';
import { CertificationSummary } from '../../../helpers/report/summary-schema.ts';
import { readFragments, writeSummary } from '../../../helpers/report/write-summary.ts';
import {
  assertWellFormed,
  connectionsProbe,
  recordingSink,
  replacements,
  tempReportsDir,
  weightsProbe,
} from './fixtures.ts';

function fakeClock(start = 1_000_000, step = 250) {
  let t = start;
  return () => {
    t += step;
    return t;
  };
}

describe('SummaryRecorder', () => {
  it('appends one parsed JSON line per record to summary-parts/<scenario>.jsonl', async () => {
    const reportsDir = await tempReportsDir();
    const rec = new SummaryRecorder('inplace', { reportsDir, now: fakeClock(), sink: recordingSink() });
    await rec.start(['mesh ready']);
    await rec.check('mesh ready', 'pass');
    const lines = (await readFile(fragmentPath(reportsDir, 'inplace'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).kind)).toEqual(['start', 'check']);
  });

  it('refuses a non-passing check without a reason', async () => {
    const rec = new SummaryRecorder('inplace', { reportsDir: await tempReportsDir(), sink: recordingSink() });
    await expect(rec.check('weights', 'fail')).rejects.toThrow(/say why/);
  });

  it('refuses malformed probe figures before writing anything', async () => {
    const reportsDir = await tempReportsDir();
    const rec = new SummaryRecorder('inplace', { reportsDir, sink: recordingSink() });
    await expect(
      rec.weights('w', { verdict: 'pass', requests: -1, counts: {}, expected: {} }),
    ).rejects.toThrow();
    expect(await readFragments(reportsDir)).toEqual([]);
  });

  it('times steps with the injected clock, records failures, and names them like allure', async () => {
    const reportsDir = await tempReportsDir();
    const sink = recordingSink();
    const rec = new SummaryRecorder('inplace', { reportsDir, now: fakeClock(0, 100), sink });
    expect(await rec.step(10, 'apply', 'install mesh', async () => 'ok')).toBe('ok');
    await expect(
      rec.step(20, 'wait', 'Istio ready', async () => Promise.reject(new Error('timed out'))),
    ).rejects.toThrow('timed out');
    const [fragment] = await readFragments(reportsDir);
    const steps = fragment?.records.filter((r) => r.kind === 'step');
    expect(steps?.map((s) => [s.title, s.status, s.durationMs])).toEqual([
      ['010 apply: install mesh', 'passed', 100],
      ['020 wait: Istio ready', 'failed', 100],
    ]);
    expect(sink.seen.steps).toEqual(['010 apply: install mesh', '020 wait: Istio ready']);
  });

  it('attaches probe JSON and its picture to allure', async () => {
    const sink = recordingSink();
    const rec = new SummaryRecorder('ztunnel-rolling', { reportsDir: await tempReportsDir(), sink });
    await rec.connections('connections survive', connectionsProbe, replacements);
    await rec.weights('reviews split', weightsProbe);
    expect(sink.seen.attachments.map((a) => [a.name, a.contentType])).toEqual([
      ['connections survive: connections probe', 'application/json'],
      ['connections survive: connection timeline', 'image/svg+xml'],
      ['reviews split: weights probe', 'application/json'],
      ['reviews split: weight split', 'image/svg+xml'],
    ]);
    for (const a of sink.seen.attachments.filter((x) => x.contentType === 'image/svg+xml'))
      assertWellFormed(a.body);
  });

  it('loses nothing when many writers append to one fragment at once', async () => {
    const reportsDir = await tempReportsDir();
    const writers = Array.from(
      { length: 8 },
      () => new SummaryRecorder('inplace', { reportsDir, sink: recordingSink() }),
    );
    await Promise.all(
      writers.flatMap((w, i) => Array.from({ length: 25 }, (_, j) => w.check(`c${i}-${j}`, 'pass'))),
    );
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.problems).toEqual([]);
    expect(fragment?.records).toHaveLength(200);
  });
});

describe('recordSkip', () => {
  it('writes the reason to the fragment and to allure (description, label, attachment)', async () => {
    const reportsDir = await tempReportsDir();
    const sink = recordingSink();
    await recordSkip('inplace', 'no cluster: KUBECONFIG is not set', {
      reportsDir,
      sink,
      plannedChecks: ['mesh ready'],
    });
    expect(sink.seen.descriptions).toEqual(['**Skipped:** no cluster: KUBECONFIG is not set']);
    expect(sink.seen.labels).toEqual([['skipReason', 'no cluster: KUBECONFIG is not set']]);
    expect(sink.seen.attachments[0]).toMatchObject({
      name: 'skip reason',
      body: 'no cluster: KUBECONFIG is not set\n',
    });
    const [fragment] = await readFragments(reportsDir);
    expect(fragment?.records.map((r) => r.kind)).toEqual(['start', 'skip']);
  });
});

describe('writeSummary', () => {
  it('gives a run with no cluster a report that shows every skipped scenario and its reason', async () => {
    const reportsDir = await tempReportsDir();
    const reason =
      'no cluster: KUBECONFIG is not set (export it, or run `npx ambient-upgrade run --provider kind`)';
    for (const s of ['inplace', 'revision', 'ztunnel-rolling'])
      await recordSkip(s, reason, { reportsDir, sink: recordingSink() });
    const written = await writeSummary(reportsDir, {
      runId: 'laptop-1',
      scenarios: ['inplace', 'revision', 'ztunnel-rolling'],
    });
    const json = CertificationSummary.parse(JSON.parse(await readFile(written.json, 'utf8')));
    expect(json.verdict).toBe('incomplete');
    expect(json.scenarios.map((s) => [s.name, s.status, s.skipReason])).toEqual([
      ['inplace', 'skipped', reason],
      ['revision', 'skipped', reason],
      ['ztunnel-rolling', 'skipped', reason],
    ]);
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toContain('⚠️ INCOMPLETE');
    expect(md.match(/⏭️ skipped: no cluster/g)).toHaveLength(3);
  });

  it('merges fragments from several scenarios, writes figures, and reuses the recorded run metadata', async () => {
    const reportsDir = await tempReportsDir();
    await writeRunMeta(reportsDir, {
      runId: 'nightly-42',
      cluster: { provider: 'kind', kubernetesVersion: 'v1.33.1', nodeCount: 3, openshift: false },
      istio: { from: '1.26.3', to: '1.27.1' },
    });
    const a = new SummaryRecorder('inplace', { reportsDir, sink: recordingSink() });
    await a.weights('reviews split', weightsProbe);
    await a.check('reviews split', 'pass');
    const b = new SummaryRecorder('ztunnel-rolling', { reportsDir, sink: recordingSink() });
    await b.connections('connections survive', connectionsProbe, replacements);
    await b.check('connections survive', 'fail', { reason: 'c2 reset before the drain deadline' });

    const written = await writeSummary(reportsDir);
    expect(written.summary.run.runId).toBe('nightly-42');
    expect(written.summary.verdict).toBe('not certified');
    expect((await readdir(join(reportsDir, 'figures'))).sort()).toEqual([
      'inplace--reviews-split-weights.svg',
      'ztunnel-rolling--connections-survive-connections.svg',
    ]);
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toContain('[timeline](figures/ztunnel-rolling--connections-survive-connections.svg)');
    expect(md).toContain('| Cluster | kind, Kubernetes v1.33.1, 3 node(s), OpenShift: no |');
  });

  it('turns a truncated fragment line (a crashed worker) into a visible error', async () => {
    const reportsDir = await tempReportsDir();
    const rec = new SummaryRecorder('inplace', { reportsDir, sink: recordingSink() });
    await rec.check('mesh ready', 'pass');
    await appendFile(rec.file, '{"kind":"check","scen');
    const { summary } = await writeSummary(reportsDir, { runId: 'r' });
    expect(summary.verdict).toBe('not certified');
    expect(summary.reasons[0]).toMatch(/^inplace errored: inplace\.jsonl line 2 is unreadable/);
  });
});
