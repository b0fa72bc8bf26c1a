import { describe, expect, it } from 'vitest';
import type { Step, StepActionName, StepPhase } from '../../../helpers/plan/types.ts';
import { checkName, haltsScenario, notRunReason } from '../../../suites/runner/sequence.ts';

const PHASES: StepPhase[] = ['setup', 'baseline', 'upgrade', 'verify'];
const CHANGES: StepActionName[] = ['apply', 'wait', 'upgrade', 'drain', 'delete', 'label'];

describe('haltsScenario', () => {
  for (const action of CHANGES) {
    it(`a failed ${action} halts the scenario in every phase`, () => {
      expect(PHASES.map((phase) => haltsScenario({ phase, action }))).toEqual([true, true, true, true]);
    });
  }

  it('a failed probe halts in setup, baseline and upgrade, not in verify', () => {
    expect(PHASES.map((phase) => [phase, haltsScenario({ phase, action: 'probe' })])).toEqual([
      ['setup', true],
      ['baseline', true],
      ['upgrade', true],
      ['verify', false],
    ]);
  });
});

describe('notRunReason', () => {
  const failure = (phase: StepPhase) => ({
    step: { id: '120', name: 'wait for Istio v1.30.3 to be Ready', phase, action: 'wait' as const },
    summary: 'timed out after 300s',
  });

  it('runs the step when nothing failed before', () => {
    expect(notRunReason(undefined)).toBeUndefined();
  });

  it('blames a broken starting point for a setup or baseline failure, naming the step', () => {
    for (const phase of ['setup', 'baseline'] as const) {
      expect(notRunReason(failure(phase))).toBe(
        'not run: the starting point is broken — step 120 "wait for Istio v1.30.3 to be Ready" failed: timed out after 300s',
      );
    }
  });

  it('says the upgrade did not complete for an upgrade-phase failure, naming the step', () => {
    const reason = notRunReason(failure('upgrade'));
    expect(reason).toBe(
      'not run: the upgrade did not complete — step 120 "wait for Istio v1.30.3 to be Ready" failed: timed out after 300s',
    );
    expect(reason).not.toContain('starting point');
  });
});

describe('checkName', () => {
  const step = (action: StepActionName): Pick<Step, 'id' | 'name' | 'action'> => ({
    id: '040',
    name: 'do the thing',
    action,
  });

  it('names probes, waits and drains as checks ("id name")', () => {
    for (const action of ['probe', 'wait', 'drain'] as const)
      expect(checkName(step(action))).toBe('040 do the thing');
  });

  it('does not count applies, labels, upgrades and deletes as checks', () => {
    for (const action of ['apply', 'label', 'upgrade', 'delete'] as const)
      expect(checkName(step(action))).toBeUndefined();
  });
});
