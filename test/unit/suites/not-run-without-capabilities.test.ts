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
    ['120', 'check every ztunnel is connected to istiod default, SYNCED on v1.29.6'],
    ['200', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['210', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['240', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['250', 'baseline: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation'],
    ['260', 'baseline: wait for 10 good answers in a row from productpage'],
    ['270', 'baseline: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['280', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['290', 'baseline: default/curl may GET productpage'],
    ['300', 'baseline: default/curl may not POST productpage'],
    ['310', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['370', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['460', 'check every ztunnel is connected to istiod default, SYNCED on v1.30.3'],
    ['510', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    [
      '530',
      'after the upgrade: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation',
    ],
    ['540', 'after the upgrade: wait for 10 good answers in a row from productpage'],
    ['550', 'after the upgrade: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['560', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['570', 'after the upgrade: default/curl may GET productpage'],
    ['580', 'after the upgrade: default/curl may not POST productpage'],
    ['590', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'revision-based': [
    ['150', 'check every ztunnel is connected to istiod default-v1-29-6, SYNCED on v1.29.6'],
    ['250', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['260', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['290', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['300', 'baseline: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation'],
    ['310', 'baseline: wait for 10 good answers in a row from productpage'],
    ['320', 'baseline: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['330', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['340', 'baseline: default/curl may GET productpage'],
    ['350', 'baseline: default/curl may not POST productpage'],
    ['360', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['380', 'start connections across the ztunnel re-roll the new revision causes'],
    ['440', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['450', 'check waypoint bookinfo/waypoint reconnected to istiod-default-v1-30-3, SYNCED on v1.30.3'],
    ['470', 'check every ztunnel is connected to istiod default-v1-30-3, SYNCED on v1.29.6'],
    ['480', 'check connections across the ztunnel re-roll, judged like a rolling update'],
    ['590', 'check every ztunnel is connected to istiod default-v1-30-3, SYNCED on v1.30.3'],
    ['640', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default-v1-30-3'],
    [
      '660',
      'after the upgrade: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation',
    ],
    ['670', 'after the upgrade: wait for 10 good answers in a row from productpage'],
    ['680', 'after the upgrade: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['690', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['700', 'after the upgrade: default/curl may GET productpage'],
    ['710', 'after the upgrade: default/curl may not POST productpage'],
    ['720', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'ztunnel-rolling': [
    ['140', 'check every ztunnel is connected to istiod default, SYNCED on v1.29.6'],
    ['240', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['250', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['280', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['290', 'baseline: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation'],
    ['300', 'baseline: wait for 10 good answers in a row from productpage'],
    ['310', 'baseline: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['320', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['330', 'baseline: default/curl may GET productpage'],
    ['340', 'baseline: default/curl may not POST productpage'],
    ['350', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['410', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['470', 'start connections across workers 0 → 1 (grace-update)'],
    ['510', 'check every ztunnel is connected to istiod default, SYNCED on v1.29.6'],
    ['520', 'check no connection ended before the ztunnel drain deadline (grace-update)'],
    ['540', 'start connections across workers 0 → 1 (long-grace)'],
    ['580', 'check every ztunnel is connected to istiod default, SYNCED on v1.30.3'],
    ['600', 'check no connection ended before the ztunnel drain deadline (long-grace)'],
    ['640', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    [
      '660',
      'after the upgrade: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation',
    ],
    ['670', 'after the upgrade: wait for 10 good answers in a row from productpage'],
    ['680', 'after the upgrade: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['690', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['700', 'after the upgrade: default/curl may GET productpage'],
    ['710', 'after the upgrade: default/curl may not POST productpage'],
    ['720', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'ztunnel-node-drain': [
    ['150', 'check every ztunnel is connected to istiod default, SYNCED on v1.29.6'],
    ['280', 'wait for waypoint bookinfo/waypoint to be Programmed'],
    ['290', 'wait for waypoint bookinfo/waypoint to run v1.29.6'],
    ['320', 'baseline: waypoint bookinfo/waypoint is SYNCED on v1.29.6'],
    ['330', 'baseline: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation'],
    ['340', 'baseline: wait for 10 good answers in a row from productpage'],
    ['350', 'baseline: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['360', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['370', 'baseline: default/curl may GET productpage'],
    ['380', 'baseline: default/curl may not POST productpage'],
    ['390', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['440', 'wait for waypoint bookinfo/waypoint to run v1.30.3'],
    ['510', 'start traffic to bookinfo from the control-plane node'],
    ['550', 'start connections on the nodes other than worker node 0'],
    ['570', 'wait for the cluster DNS to be Available after the drain of worker node 0'],
    ['610', 'check the new ztunnel on worker node 0 serves its workloads (workloadState Up)'],
    ['620', 'check connections on the other nodes saw no reset during the drain of worker node 0'],
    ['630', 'start connections on the nodes other than worker node 1'],
    ['650', 'wait for the cluster DNS to be Available after the drain of worker node 1'],
    ['690', 'check the new ztunnel on worker node 1 serves its workloads (workloadState Up)'],
    ['700', 'check connections on the other nodes saw no reset during the drain of worker node 1'],
    ['710', 'check traffic to bookinfo never failed while the workers were drained'],
    ['730', 'wait for the cluster DNS to be Available after the drain of control-plane node 0'],
    ['760', 'check every ztunnel is connected to istiod default, SYNCED on v1.30.3'],
    ['830', 'check waypoint bookinfo/waypoint runs v1.30.3, SYNCED with istiod default'],
    [
      '840',
      'after the upgrade: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation',
    ],
    ['850', 'after the upgrade: wait for 10 good answers in a row from productpage'],
    ['860', 'after the upgrade: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['870', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['880', 'after the upgrade: default/curl may GET productpage'],
    ['890', 'after the upgrade: default/curl may not POST productpage'],
    ['900', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
  ],
  'cross-namespace-waypoint': [
    ['120', 'check every ztunnel is connected to istiod default, SYNCED on v1.29.6'],
    ['200', 'wait for waypoint foo/waypoint-foo to be Programmed'],
    ['210', 'wait for waypoint foo/waypoint-foo to run v1.29.6'],
    ['240', 'baseline: waypoint foo/waypoint-foo is SYNCED on v1.29.6'],
    ['250', 'baseline: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation'],
    ['260', 'baseline: wait for 10 good answers in a row from productpage'],
    ['270', 'baseline: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['280', 'baseline: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['290', 'baseline: default/curl may GET productpage'],
    ['300', 'baseline: default/curl may not POST productpage'],
    ['310', 'baseline: bookinfo/other-probe may not GET productpage'],
    ['380', 'wait for waypoint foo/waypoint-foo to run v1.30.3'],
    ['470', 'check every ztunnel is connected to istiod default, SYNCED on v1.30.3'],
    ['530', 'check waypoint foo/waypoint-foo runs v1.30.3, SYNCED with istiod default'],
    [
      '550',
      'after the upgrade: wait for HTTPRoute bookinfo/reviews Accepted and ResolvedRefs on its generation',
    ],
    ['560', 'after the upgrade: wait for 10 good answers in a row from productpage'],
    ['570', 'after the upgrade: wait for the waypoint to enforce the AuthorizationPolicy (one RBAC deny)'],
    ['580', 'after the upgrade: reviews splits 90/10 between reviews-v1 and reviews-v2'],
    ['590', 'after the upgrade: default/curl may GET productpage'],
    ['600', 'after the upgrade: default/curl may not POST productpage'],
    ['610', 'after the upgrade: bookinfo/other-probe may not GET productpage'],
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
    const missing = (kind: string) => {
      const step = plan.steps.find(
        (s) =>
          (s.action === 'wait' && s.condition.kind === kind) ||
          (s.action === 'probe' && s.probe.kind === kind) ||
          s.action === kind,
      );
      if (!step) throw new Error(`no ${kind} step in ztunnel-node-drain`);
      return unmetNeeds(step, CONTROL_PLANE_ONLY)?.missing;
    };
    expect(missing('waypoint-programmed')).toEqual(['istiod-controller']);
    expect(missing('route-accepted')).toEqual(['istiod-controller']);
    expect(missing('proxy-status')).toEqual(['data-plane', 'istiod-controller']); // syncz of the waypoint
    expect(missing('traffic-start')).toEqual(['data-plane']);
    expect(missing('node-ztunnel')).toEqual(['data-plane']); // ztunnel config_dump
    expect(missing('drain')).toBeUndefined(); // the drain itself runs: cordon, evictions, pod replacement
    expect(missing('sail-ready')).toBeUndefined();
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
    const programmed = plan.steps.find(
      (s) => s.action === 'wait' && s.condition.kind === 'waypoint-programmed',
    );
    expect(json.steps.find((s) => s.id === programmed?.id)?.needs).toEqual(['istiod-controller']);
    expect(json.steps.find((s) => s.action === 'apply')?.needs).toEqual([]);
  });
});

describe('describePlanNeeds', () => {
  it('counts the steps needing more than the API, per capability', async () => {
    const plan = renderPlan('inplace', await renderInput());
    const count = (c: string) => plan.steps.filter((s) => stepNeeds(s).some((n) => n === c)).length;
    const needing = NOT_RUN_WITHOUT_DATA_PLANE_OR_ISTIOD.inplace.length;
    expect(describePlanNeeds(plan.steps)).toBe(
      `${needing} steps need more than the Kubernetes API (data-plane: ${count('data-plane')}, istiod-controller: ${count('istiod-controller')}); a cluster without it reports them not run ("needs" in plan.json)`,
    );
    expect(describePlanNeeds(plan.steps.filter((s) => s.action === 'apply'))).toBe(
      'every step needs only the Kubernetes API',
    );
  });
});
