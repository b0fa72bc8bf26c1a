import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES, CONTROL_PLANE_ONLY } from '../../../helpers/capabilities.ts';
import { describePlanNeeds, stepNeeds } from '../../../helpers/plan/needs.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../../helpers/plan/scenarios/index.ts';
import type { ScenarioName } from '../../../helpers/plan/types.ts';
import { toPlanJson } from '../../../helpers/plan/write.ts';
import { basisOn, unmetNeeds } from '../../../suites/runner/capability-gate.ts';
import { renderInput } from '../plan/fixtures.ts';

/**
 * Exactly the steps a cluster with neither the data plane nor istiod as a controller (kwok) does not run, per
 * scenario, for the default versions (1.29.6 → 1.30.3, 2 workers). Written out as data on purpose: a plan change
 * that moves a step across the line (a control-plane step that would no longer run, or a data-plane step that
 * would now claim to run) fails here and has to be looked at.
 */
const NOT_RUN_WITHOUT_DATA_PLANE_OR_ISTIOD: Record<ScenarioName, [id: string, name: string][]> = {
  inplace: [
    ['190', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['200', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['230', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['240', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['250', 'baseline: default/curl may GET productpage'],
    ['260', 'baseline: default/curl may not POST productpage'],
    ['270', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['330', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['450', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    ['470', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['480', 'after the upgrade: default/curl may GET productpage'],
    ['490', 'after the upgrade: default/curl may not POST productpage'],
    ['500', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'revision-based': [
    ['200', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['210', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['240', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['250', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['260', 'baseline: default/curl may GET productpage'],
    ['270', 'baseline: default/curl may not POST productpage'],
    ['280', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['350', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['360', 'check waypoint bookinfo/waypoint reconnected to istiod-default-v1-30-3, SYNCED on v1.30.3'],
    ['510', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default-v1-30-3'],
    ['530', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['540', 'after the upgrade: default/curl may GET productpage'],
    ['550', 'after the upgrade: default/curl may not POST productpage'],
    ['560', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'ztunnel-rolling': [
    ['230', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['240', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['270', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['280', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['290', 'baseline: default/curl may GET productpage'],
    ['300', 'baseline: default/curl may not POST productpage'],
    ['310', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['370', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['430', 'start connections across workers 0 → 1 (default-grace)'],
    ['480', 'check no connection ended before the ztunnel drain deadline (default-grace)'],
    ['550', 'start connections across workers 0 → 1 (long-grace)'],
    ['600', 'check no connection ended before the ztunnel drain deadline (long-grace)'],
    ['630', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    ['650', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['660', 'after the upgrade: default/curl may GET productpage'],
    ['670', 'after the upgrade: default/curl may not POST productpage'],
    ['680', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'ztunnel-node-drain': [
    ['270', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['280', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['310', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['320', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['330', 'baseline: default/curl may GET productpage'],
    ['340', 'baseline: default/curl may not POST productpage'],
    ['350', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['400', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['470', 'start traffic to bookinfo from the control-plane node'],
    ['510', 'start connections on the nodes other than worker node 0'],
    ['550', 'check workloads on worker node 0 use ztunnel v1.30.3'],
    ['560', 'check connections on the other nodes saw no reset during the drain of worker node 0'],
    ['570', 'start connections on the nodes other than worker node 1'],
    ['610', 'check workloads on worker node 1 use ztunnel v1.30.3'],
    ['620', 'check connections on the other nodes saw no reset during the drain of worker node 1'],
    ['630', 'check traffic to bookinfo never failed while the workers were drained'],
    ['710', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    ['720', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['730', 'after the upgrade: default/curl may GET productpage'],
    ['740', 'after the upgrade: default/curl may not POST productpage'],
    ['750', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'cross-namespace-waypoint': [
    ['190', 'wait for waypoint foo/waypoint-foo to be Programmed'],
    ['200', 'wait for waypoint foo/waypoint-foo to run v1.29.6'],
    ['230', 'baseline: waypoint foo/waypoint-foo is SYNCED on v1.29.6'],
    ['240', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['250', 'baseline: default/curl may GET productpage'],
    ['260', 'baseline: default/curl may not POST productpage'],
    ['270', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['340', 'wait for waypoint foo/waypoint-foo to run v1.30.3'],
    ['460', 'check waypoint foo/waypoint-foo runs v1.30.3, SYNCED with istiod default'],
    ['480', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['490', 'after the upgrade: default/curl may GET productpage'],
    ['500', 'after the upgrade: default/curl may not POST productpage'],
    ['510', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
};

describe('steps not run on a cluster lacking data-plane and istiod-controller (kwok)', () => {
  it.each(SCENARIO_NAMES)(
    '%s: exactly the pinned steps are not run, each saying what is missing',
    async (name) => {
      const plan = renderPlan(name, await renderInput());
      const notRun = plan.steps.flatMap((step) => {
        const unmet = unmetNeeds(step, CONTROL_PLANE_ONLY);
        return unmet === undefined ? [] : [{ step, unmet }];
      });
      expect(notRun.map(({ step }) => [step.id, step.name])).toEqual(
        NOT_RUN_WITHOUT_DATA_PLANE_OR_ISTIOD[name],
      );
      for (const { step, unmet } of notRun) {
        expect(unmet.missing.length, step.id).toBeGreaterThan(0);
        expect(unmet.reason).toBe(`not run: ${unmet.missing.join(', ')} missing`);
      }
      // The rest is what the real control plane proves: it is far more than half of every plan.
      expect(plan.steps.length - notRun.length).toBeGreaterThan(plan.steps.length / 2);
    },
  );

  it.each(SCENARIO_NAMES)(
    '%s: on a full cluster (kind, existing) every step runs, with no basis note',
    async (name) => {
      const plan = renderPlan(name, await renderInput());
      for (const step of plan.steps) {
        expect(unmetNeeds(step, ALL_CAPABILITIES), step.id).toBeUndefined();
        expect(basisOn(step, ALL_CAPABILITIES), step.id).toBeUndefined();
      }
    },
  );

  it('traffic, connections, syncz and config_dump steps lack the data plane; waypoint waits lack istiod only', async () => {
    const plan = renderPlan('ztunnel-node-drain', await renderInput());
    const missing = (id: string) => {
      const step = plan.steps.find((s) => s.id === id);
      if (!step) throw new Error(`no step ${id}`);
      return unmetNeeds(step, CONTROL_PLANE_ONLY)?.missing;
    };
    expect(missing('270')).toEqual(['istiod-controller']); // waypoint Programmed
    expect(missing('310')).toEqual(['data-plane', 'istiod-controller']); // syncz of the waypoint
    expect(missing('470')).toEqual(['data-plane']); // traffic-start
    expect(missing('550')).toEqual(['data-plane']); // ztunnel config_dump
    expect(missing('520')).toBeUndefined(); // the drain itself runs: cordon, evictions, pod replacement
  });

  it('revision-gone and skew run without istiod but record the weaker basis of their verdict', async () => {
    const plan = renderPlan('revision-based', await renderInput());
    const pruned = plan.steps.find((s) => s.action === 'wait' && s.condition.kind === 'revision-gone');
    const skew = plan.steps.find((s) => s.action === 'probe' && s.probe.kind === 'skew');
    if (!pruned || !skew) throw new Error('revision-based lost its revision-gone or skew step');
    expect(unmetNeeds(pruned, CONTROL_PLANE_ONLY)).toBeUndefined();
    expect(basisOn(pruned, CONTROL_PLANE_ONLY)).toMatch(/proves only that Sail prunes an unused revision/);
    expect(basisOn(skew, CONTROL_PLANE_ONLY)).toMatch(/no waypoint proxies/);
    // With istiod running the meaning is the full one, even without the data plane.
    expect(basisOn(pruned, new Set(['istiod-controller']))).toBeUndefined();
  });

  it('plan.json carries the needs of each step, the same the runner gates on', async () => {
    const plan = renderPlan('inplace', await renderInput());
    const json = toPlanJson(plan);
    expect(json.steps.map((s) => s.needs)).toEqual(plan.steps.map((s) => [...stepNeeds(s)]));
    expect(json.steps.find((s) => s.id === '190')?.needs).toEqual(['istiod-controller']);
    expect(json.steps.find((s) => s.id === '010')?.needs).toEqual([]);
  });
});

describe('describePlanNeeds', () => {
  it('counts the steps needing more than the API, per capability', async () => {
    const plan = renderPlan('inplace', await renderInput());
    expect(describePlanNeeds(plan.steps)).toBe(
      '13 steps need more than the Kubernetes API (data-plane: 10, istiod-controller: 13); a cluster without it reports them not run ("needs" in plan.json)',
    );
    expect(describePlanNeeds(plan.steps.filter((s) => s.action === 'apply'))).toBe(
      'every step needs only the Kubernetes API',
    );
  });
});
