import { describe, expect, it } from 'vitest';
import {
  allureActive,
  attachJson,
  attachSvg,
  noopSink,
  stepTitle,
  suiteStep,
} from '../../../helpers/report/step.ts';
import { recordingSink } from './fixtures.ts';

describe('stepTitle', () => {
  it('names a step "NN action: name" with a three-digit index', () => {
    expect(stepTitle(30, 'wait', 'Istio ready')).toBe('030 wait: Istio ready');
    expect(stepTitle(5, 'upgrade', 'upgrade ZTunnel to 1.27.1')).toBe(
      '005 upgrade: upgrade ZTunnel to 1.27.1',
    );
  });

  it('folds whitespace so a multi-line name stays one title', () => {
    expect(stepTitle(120, 'probe', ' baseline:\n  reviews split ')).toBe(
      '120 probe: baseline: reviews split',
    );
  });

  it.each([
    [-1, 'wait', 'x'],
    [1.5, 'wait', 'x'],
    [1, 'Wait', 'x'],
    [1, 'wait now', 'x'],
    [1, 'wait', '   '],
  ])('rejects index %s, action "%s", name "%s"', (index, action, name) => {
    expect(() => stepTitle(index, action, name)).toThrow(RangeError);
  });
});

describe('suiteStep', () => {
  it('runs the body as one titled step and returns its value', async () => {
    const sink = recordingSink();
    const value = await suiteStep(30, 'wait', 'Istio ready', async () => 42, { sink });
    expect(value).toBe(42);
    expect(sink.seen.steps).toEqual(['030 wait: Istio ready']);
  });

  it('propagates the body’s error', async () => {
    const sink = recordingSink();
    await expect(
      suiteStep(40, 'apply', 'bookinfo', async () => Promise.reject(new Error('apply refused')), { sink }),
    ).rejects.toThrow('apply refused');
    expect(sink.seen.steps).toEqual(['040 apply: bookinfo']);
  });

  it('works with no allure at all: the no-op sink runs the body and drops evidence', async () => {
    expect(await suiteStep(1, 'wait', 'x', async () => 'ran', { sink: noopSink })).toBe('ran');
    await expect(attachJson('plan step', { a: 1 }, { sink: noopSink })).resolves.toBeUndefined();
  });

  it('sees allure as active inside this vitest run (the reporter is configured)', () => {
    expect(allureActive()).toBe(true);
  });
});

describe('attachments', () => {
  it('attach JSON pretty-printed and SVG with their content types', async () => {
    const sink = recordingSink();
    await attachJson('Sail CR statuses', { istio: { state: 'Healthy' } }, { sink });
    await attachSvg('timeline', '<svg/>', { sink });
    expect(sink.seen.attachments).toEqual([
      {
        name: 'Sail CR statuses',
        body: '{\n  "istio": {\n    "state": "Healthy"\n  }\n}\n',
        contentType: 'application/json',
      },
      { name: 'timeline', body: '<svg/>', contentType: 'image/svg+xml' },
    ]);
  });
});
