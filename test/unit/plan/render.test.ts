import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import type { RenderInput } from '../../../helpers/plan/render.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../../helpers/plan/scenarios/index.ts';
import { checkPlanSkew, meshAfter } from '../../../helpers/plan/skew-walk.ts';
import type { Plan, Step } from '../../../helpers/plan/types.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';
import { renderInput } from './fixtures.ts';

let input: RenderInput;
beforeAll(async () => {
  input = await renderInput();
});

function indexOf(plan: Plan, predicate: (step: Step) => boolean, what: string): number {
  const index = plan.steps.findIndex(predicate);
  if (index < 0) throw new Error(`no step: ${what}`);
  return index;
}

const upgradeOf = (kind: string) => (step: Step) => step.action === 'upgrade' && step.target.kind === kind;

describe.each(SCENARIO_NAMES)('scenario %s', (name) => {
  let plan: Plan;
  beforeAll(() => {
    plan = renderPlan(name, input);
  });

  it('has increasing three-digit ids and apply files named by them', () => {
    plan.steps.forEach((step, index) => {
      expect(step.id).toBe(String((index + 1) * 10).padStart(3, '0'));
      if (step.action === 'apply') expect(step.file).toMatch(new RegExp(`^${step.id}-[a-z0-9-]+\\.yaml$`));
    });
  });

  it('goes setup → baseline → upgrade → verify, each phase present', () => {
    const order = ['setup', 'baseline', 'upgrade', 'verify'];
    const phases = plan.steps.map((step) => order.indexOf(step.phase));
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
    expect(new Set(phases).size).toBe(4);
  });

  it('upgrades Istio before IstioCNI before ZTunnel, each followed by a skew probe', () => {
    const istio = indexOf(plan, upgradeOf('Istio'), 'upgrade Istio');
    const cni = indexOf(plan, upgradeOf('IstioCNI'), 'upgrade IstioCNI');
    const ztunnel = indexOf(plan, upgradeOf('ZTunnel'), 'upgrade ZTunnel');
    expect(istio).toBeLessThan(cni);
    expect(cni).toBeLessThan(ztunnel);
    for (const start of [istio, cni]) {
      const nextUpgrade = plan.steps.findIndex((step, index) => index > start && step.action === 'upgrade');
      const skew = plan.steps.findIndex(
        (step, index) => index > start && step.action === 'probe' && step.probe.kind === 'skew',
      );
      expect(skew).toBeGreaterThan(start);
      expect(skew).toBeLessThan(nextUpgrade);
    }
    expect(
      plan.steps.slice(ztunnel).some((step) => step.action === 'probe' && step.probe.kind === 'skew'),
    ).toBe(true);
  });

  it('installs every component at from and ends with all at to', () => {
    const install = plan.steps.findIndex((step) => step.action === 'upgrade');
    expect(meshAfter(plan.steps, install)).toEqual({
      controlPlane: 'v1.29.6',
      cni: 'v1.29.6',
      ztunnel: 'v1.29.6',
    });
    expect(meshAfter(plan.steps)).toEqual({ controlPlane: 'v1.30.3', cni: 'v1.30.3', ztunnel: 'v1.30.3' });
    expect(checkPlanSkew(plan.steps)).toEqual([]);
  });

  it('applies only complete objects, namespaced kinds with a namespace', () => {
    const clusterScoped = new Set(['Namespace', 'Istio', 'IstioCNI', 'ZTunnel', 'IstioRevisionTag']);
    for (const step of plan.steps) {
      if (step.action !== 'apply') continue;
      for (const object of step.objects) {
        expect(object.apiVersion).toBeTruthy();
        expect(object.metadata.name).toBeTruthy();
        expect(object.metadata.namespace === undefined).toBe(clusterScoped.has(object.kind));
      }
    }
  });

  it('probes the baseline and verifies L7 with the weights probe and three authz rows, each after converging', () => {
    for (const phase of ['baseline', 'verify'] as const) {
      const steps = plan.steps.filter((step) => step.phase === phase);
      const probes = steps.filter((step) => step.action === 'probe');
      const kinds = probes.map((step) => (step.action === 'probe' ? step.probe.kind : ''));
      expect(kinds).toContain('proxy-status');
      const weights = probes.flatMap((step) =>
        step.action === 'probe' && step.probe.kind === 'weights' ? [step.probe] : [],
      );
      expect(weights).toHaveLength(1);
      expect(weights[0]?.warmup.count).toBeGreaterThanOrEqual(20);
      const authz = probes.flatMap((step) =>
        step.action === 'probe' && step.probe.kind === 'authz' ? [step.probe] : [],
      );
      const settles = authz.filter((row) => row.settle !== undefined);
      const matrix = authz.filter((row) => row.settle === undefined);
      expect(matrix.map((row) => `${row.client.namespace} ${row.method} ${row.expect}`)).toEqual([
        'default GET allow',
        'default POST deny',
        'bookinfo GET deny',
      ]);
      // A run of good answers, then one RBAC deny, both before the matrix and the weights.
      expect(settles.map((row) => `${row.expect} ${row.settle?.consecutive}`)).toEqual([
        'allow 10',
        'deny 1',
      ]);
      const at = (predicate: (step: (typeof steps)[number]) => boolean) => steps.findIndex(predicate);
      const routeWait = at((s) => s.action === 'wait' && s.condition.kind === 'route-accepted');
      const firstSettle = at((s) => s.action === 'probe' && s.probe.kind === 'authz' && !!s.probe.settle);
      const weightsAt = at((s) => s.action === 'probe' && s.probe.kind === 'weights');
      const firstRow = at((s) => s.action === 'probe' && s.probe.kind === 'authz' && !s.probe.settle);
      expect(routeWait).toBeGreaterThanOrEqual(0);
      expect(routeWait).toBeLessThan(firstSettle);
      expect(firstSettle).toBeLessThan(weightsAt);
      expect(weightsAt).toBeLessThan(firstRow);
    }
  });

  it('expects the new version and its revision from the waypoint after the upgrade', () => {
    const last = plan.steps
      .filter((step) => step.action === 'probe' && step.probe.kind === 'proxy-status')
      .at(-1);
    expect(last?.action === 'probe' && last.probe.kind === 'proxy-status' && last.probe.expect.version).toBe(
      'v1.30.3',
    );
  });
});

describe('scenario specifics', () => {
  it('revision-based creates the default tag, follows it, and waits for the old revision to be pruned', () => {
    const plan = renderPlan('revision-based', { ...input, revisionGraceSeconds: 45 });
    const tag = plan.steps.some(
      (step) => step.action === 'apply' && step.objects.some((o) => o.kind === 'IstioRevisionTag'),
    );
    expect(tag).toBe(true);
    const upgrade = indexOf(plan, upgradeOf('Istio'), 'upgrade Istio');
    const follows = indexOf(
      plan,
      (s) =>
        s.action === 'wait' &&
        s.condition.kind === 'tag-points-to' &&
        s.condition.revision === 'default-v1-30-3',
      'tag follows',
    );
    const pruned = indexOf(
      plan,
      (s) =>
        s.action === 'wait' && s.condition.kind === 'revision-gone' && s.condition.name === 'default-v1-29-6',
      'prune',
    );
    expect(upgrade).toBeLessThan(follows);
    expect(follows).toBeLessThan(pruned);
    expect(pruned).toBeLessThan(indexOf(plan, upgradeOf('IstioCNI'), 'upgrade IstioCNI'));
    const prune = plan.steps[pruned];
    expect(prune?.action === 'wait' && prune.timeoutMs).toBeGreaterThan(45_000);
    const istio = plan.steps
      .flatMap((s) => (s.action === 'apply' ? s.objects : []))
      .find((o) => o.kind === 'Istio');
    expect(istio?.spec).toMatchObject({
      updateStrategy: { type: 'RevisionBased', inactiveRevisionDeletionGracePeriodSeconds: 45 },
    });
    const reconnect = plan.steps.find(
      (s) => s.phase === 'upgrade' && s.action === 'probe' && s.probe.kind === 'proxy-status',
    );
    expect(reconnect?.action === 'probe' && reconnect.probe).toMatchObject({
      expect: { revision: 'default-v1-30-3', version: 'v1.30.3' },
    });
  });

  it.each([2, 3])('ztunnel-node-drain drains each of %i workers once, then the control plane', (workers) => {
    const plan = renderPlan('ztunnel-node-drain', { ...input, workers });
    const drains = plan.steps.flatMap((step) => (step.action === 'drain' ? [step.node] : []));
    expect(drains).toEqual([
      ...Array.from({ length: workers }, (_, index) => ({ role: 'worker', index })),
      { role: 'control-plane', index: 0 },
    ]);
    const bump = indexOf(plan, upgradeOf('ZTunnel'), 'bump');
    const firstDrain = indexOf(plan, (s) => s.action === 'drain', 'drain');
    const unchanged = indexOf(
      plan,
      (s) => s.action === 'probe' && s.probe.kind === 'pods-unchanged',
      'unchanged',
    );
    expect(bump).toBeLessThan(unchanged);
    expect(unchanged).toBeLessThan(firstDrain);
    const ztunnel = plan.steps
      .flatMap((s) => (s.action === 'apply' ? s.objects : []))
      .find((o) => o.kind === 'ZTunnel');
    expect(ztunnel?.spec).toMatchObject({ values: { ztunnel: { updateStrategy: { type: 'OnDelete' } } } });
    // The control-plane drain comes after the traffic check: the traffic client lives there.
    const trafficCheck = indexOf(
      plan,
      (s) => s.action === 'probe' && s.probe.kind === 'traffic-check',
      'traffic check',
    );
    expect(trafficCheck).toBeLessThan(
      plan.steps.findIndex((s) => s.action === 'drain' && s.node.role === 'control-plane'),
    );
    // No rolling-out wait between the bump and the last drain: under OnDelete it would never end.
    const lastDrain = plan.steps.findLastIndex((s) => s.action === 'drain');
    expect(
      plan.steps
        .slice(bump, lastDrain)
        .some((s) => s.action === 'wait' && s.condition.kind === 'daemonset-rolled-out'),
    ).toBe(false);
  });

  it('ztunnel-rolling raises the grace on the existing ZTunnel, then upgrades from → to once, never re-creating it', () => {
    const plan = renderPlan('ztunnel-rolling', input);
    const ztunnelUpgrades = plan.steps.filter(upgradeOf('ZTunnel'));
    expect(ztunnelUpgrades.map((s) => s.action === 'upgrade' && s.version)).toEqual(['v1.29.6', 'v1.30.3']);
    expect(ztunnelUpgrades[0]?.action === 'upgrade' && ztunnelUpgrades[0].spec).toEqual({
      values: { ztunnel: { terminationGracePeriodSeconds: 300 } },
    });
    const ztunnels = plan.steps
      .flatMap((s) => (s.action === 'apply' ? s.objects : []))
      .filter((o) => o.kind === 'ZTunnel');
    expect(ztunnels.map((o) => (o.spec as { version: string }).version)).toEqual(['v1.29.6']);
    expect(plan.steps.some((s) => s.action === 'delete')).toBe(false);
    const checks = plan.steps.flatMap((s) =>
      s.action === 'probe' && s.probe.kind === 'connections-check' ? [s.probe] : [],
    );
    // The grace-update rollout replaces 30 s pods; the version rollout replaces 300 s pods.
    expect(checks.map((c) => [c.label, c.terminationGracePeriodSeconds, c.plannedEndsClean])).toEqual([
      ['grace-update', 30, false],
      ['long-grace', 300, true],
    ]);
    const graceWaits = plan.steps.flatMap((s) =>
      s.action === 'wait' && s.condition.kind === 'daemonset-rolled-out' && s.condition.name === 'ztunnel'
        ? [s.condition.terminationGracePeriodSeconds]
        : [],
    );
    expect(graceWaits).toEqual([undefined, 300, 300]);
    const start = plan.steps.find((s) => s.action === 'probe' && s.probe.kind === 'connections-start');
    const pair =
      start?.action === 'probe' && start.probe.kind === 'connections-start'
        ? start.probe.pairs[0]
        : undefined;
    expect(pair?.client.node).not.toEqual(pair?.server.node);
  });

  it('cross-namespace-waypoint labels bookinfo for waypoint-foo in foo and checks the labels before upgrading', () => {
    const plan = renderPlan('cross-namespace-waypoint', input);
    const bookinfo = plan.steps
      .flatMap((s) => (s.action === 'apply' ? s.objects : []))
      .find((o) => o.kind === 'Namespace' && o.metadata.name === 'bookinfo');
    expect(bookinfo?.metadata.labels).toMatchObject({
      'istio.io/use-waypoint': 'waypoint-foo',
      'istio.io/use-waypoint-namespace': 'foo',
    });
    const labels = indexOf(
      plan,
      (s) => s.action === 'probe' && s.probe.kind === 'namespace-labels',
      'labels',
    );
    expect(labels).toBeLessThan(indexOf(plan, upgradeOf('Istio'), 'upgrade Istio'));
    const status = plan.steps.filter((s) => s.action === 'probe' && s.probe.kind === 'proxy-status');
    expect(
      status.every(
        (s) =>
          s.action === 'probe' && s.probe.kind === 'proxy-status' && s.probe.waypoint.namespace === 'foo',
      ),
    ).toBe(true);
  });

  it('inplace compares application pods with the snapshot taken before the upgrade', () => {
    const plan = renderPlan('inplace', input);
    const snapshot = indexOf(
      plan,
      (s) => s.action === 'probe' && s.probe.kind === 'pod-snapshot',
      'snapshot',
    );
    const unchanged = indexOf(
      plan,
      (s) => s.action === 'probe' && s.probe.kind === 'pods-unchanged',
      'unchanged',
    );
    expect(snapshot).toBeLessThan(indexOf(plan, upgradeOf('Istio'), 'upgrade'));
    expect(unchanged).toBeGreaterThan(indexOf(plan, upgradeOf('ZTunnel'), 'upgrade'));
  });
});

describe('refusals', () => {
  it('names the valid scenarios for an unknown one', () => {
    expect(() => renderPlan('canary', input)).toThrow(
      'unknown scenario "canary" — use one of: inplace, revision-based, ztunnel-rolling, ztunnel-node-drain, cross-namespace-waypoint',
    );
  });

  it('refuses a skew violation unless allowSkew, then records it', () => {
    const jump = { ...input, from: parseVersion('1.28.10') };
    expect(() => renderPlan('revision-based', jump)).toThrow(UserError);
    expect(() => renderPlan('revision-based', jump)).toThrow(/IstioCNI v1\.28\.10 is 2 minors behind/);
    const plan = renderPlan('revision-based', { ...jump, allowSkew: true });
    expect(plan.allowSkew).toBe(true);
    expect(plan.skewFindings.length).toBeGreaterThan(0);
    expect(plan.skewFindings[0]).toMatch(/2 minors behind/);
  });

  it('refuses a downgrade unless allowSkew', () => {
    const down = { ...input, from: parseVersion('1.30.3'), to: parseVersion('1.29.6') };
    expect(() => renderPlan('inplace', down)).toThrow(/downgrades are not certified/);
    expect(renderPlan('inplace', { ...down, allowSkew: true }).skewFindings[0]).toMatch(/downgrades/);
  });

  it('refuses too few workers for node scenarios', () => {
    expect(() => renderPlan('ztunnel-rolling', { ...input, workers: 1 })).toThrow(
      /needs at least 2 worker nodes, got 1 — pass --workers 2/,
    );
    expect(renderPlan('inplace', { ...input, workers: 1 }).steps.length).toBeGreaterThan(0);
  });

  it('is pure: rendering twice gives equal plans and leaves the samples untouched', () => {
    const before = JSON.stringify(input.samples);
    expect(renderPlan('ztunnel-node-drain', input)).toEqual(renderPlan('ztunnel-node-drain', input));
    expect(JSON.stringify(input.samples)).toBe(before);
  });
});
