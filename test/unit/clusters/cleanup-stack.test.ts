import { describe, expect, it } from 'vitest';
import { CleanupStack } from '../../../clusters/cleanup-stack.ts';
import { isRunId, kindClusterName, newRunId, runLabelSelector } from '../../../clusters/run-id.ts';

describe('CleanupStack', () => {
  it('runs entries last-in first-out and keeps going after a failure', async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    stack.push('cluster', () => {
      order.push('cluster');
    });
    stack.push('port-forward', () => {
      throw new Error('already closed');
    });
    stack.push('temp file', async () => {
      order.push('temp file');
    });
    const failures = await stack.runAll();
    expect(order).toEqual(['temp file', 'cluster']);
    expect(failures).toEqual([{ what: 'port-forward', error: new Error('already closed') }]);
  });

  it('runs each entry once when a signal arrives during a normal teardown', async () => {
    const stack = new CleanupStack();
    let runs = 0;
    stack.push('cluster', () => {
      runs += 1;
    });
    await Promise.all([stack.runAll(), stack.runAll()]);
    expect(runs).toBe(1);
    expect(() => stack.push('late', () => {})).toThrow(/cleanup already started/);
  });
});

describe('run ids', () => {
  it('sort by UTC time, carry a random suffix and make valid kind names and label values', () => {
    const id = newRunId(new Date('2026-08-25T10:15:30.123Z'), () => 'a1b2');
    expect(id).toBe('20260825-101530-a1b2');
    expect(isRunId(id)).toBe(true);
    expect(isRunId('../etc')).toBe(false);
    expect(kindClusterName(id)).toBe('aus-20260825-101530-a1b2');
    expect(runLabelSelector(id)).toBe(
      'app.kubernetes.io/managed-by=ambient-upgrade-suite,ambient-upgrade-suite/run-id=20260825-101530-a1b2',
    );
  });

  it('differ between two runs started in the same second', () => {
    const now = new Date('2026-08-25T10:15:30Z');
    expect(newRunId(now)).not.toBe(newRunId(now, () => 'ffff'));
  });
});
