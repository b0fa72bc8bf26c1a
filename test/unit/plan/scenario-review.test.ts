import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import type { RenderInput } from '../../../helpers/plan/render.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../../helpers/plan/scenarios/index.ts';
import { meshAfter } from '../../../helpers/plan/skew-walk.ts';
import type { Plan, ProbeSpec, Step } from '../../../helpers/plan/types.ts';
import { renderInput } from './fixtures.ts';

// Invariants confirmed against the OSSM "Updating ambient mode" procedure and FACTS §2/§5/§6, pinned so a later
// edit of the scenarios cannot silently drop them.

let input: RenderInput;
beforeAll(async () => {
  input = await renderInput();
});

function objectsOf(plan: Plan): KubeObject[] {
  return plan.steps.flatMap((step) => (step.action === 'apply' ? step.objects : []));
}

function firstIndex(plan: Plan, predicate: (step: Step) => boolean): number {
  const index = plan.steps.findIndex(predicate);
  if (index < 0) throw new Error('no such step');
  return index;
}

function probes<K extends ProbeSpec['kind']>(plan: Plan, kind: K): Extract<ProbeSpec, { kind: K }>[] {
  return plan.steps.flatMap((step) =>
    step.action === 'probe' && step.probe.kind === kind
      ? [step.probe as Extract<ProbeSpec, { kind: K }>]
      : [],
  );
}

const appliesKind = (kind: string) => (step: Step) =>
  step.action === 'apply' && step.objects.some((object) => object.kind === kind);

describe.each(SCENARIO_NAMES)('scenario %s (review invariants)', (name) => {
  let plan: Plan;
  beforeAll(() => {
    plan = renderPlan(name, input);
  });

  it('labels istio-system and ztunnel for discovery before it creates ZTunnel, after Istio and IstioCNI', () => {
    const namespaces = firstIndex(
      plan,
      (step) =>
        step.action === 'apply' &&
        step.objects.some(
          (o) =>
            o.kind === 'Namespace' &&
            o.metadata.name === 'ztunnel' &&
            o.metadata.labels?.['istio-discovery'] === 'enabled',
        ),
    );
    const istio = firstIndex(plan, appliesKind('Istio'));
    const cni = firstIndex(plan, appliesKind('IstioCNI'));
    const ztunnel = firstIndex(plan, appliesKind('ZTunnel'));
    expect(namespaces).toBeLessThan(istio);
    expect(istio).toBeLessThan(cni);
    expect(cni).toBeLessThan(ztunnel);
  });

  it('enrols bookinfo and both probe-client namespaces in ambient mode', () => {
    const ambient = objectsOf(plan)
      .filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['istio.io/dataplane-mode'] === 'ambient')
      .map((o) => o.metadata.name);
    const clientNamespaces = probes(plan, 'authz').map((probe) => probe.client.namespace);
    expect(clientNamespaces).toEqual(expect.arrayContaining(['default', 'bookinfo']));
    for (const namespace of new Set(['bookinfo', ...clientNamespaces])) expect(ambient).toContain(namespace);
  });

  it("allows exactly the SA of the client the allow rows probe from, on productpage's Service", () => {
    const policy = objectsOf(plan).find((o) => o.kind === 'AuthorizationPolicy');
    expect(policy?.spec).toMatchObject({
      targetRefs: [{ kind: 'Service', group: '', name: 'productpage' }],
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/curl'] } }] }],
    });
    const allowed = probes(plan, 'authz').filter((probe) => probe.expect === 'allow');
    expect(allowed.length).toBeGreaterThan(0);
    const clientAccounts = objectsOf(plan)
      .filter((o) => o.kind === 'Deployment' && o.metadata.namespace === 'default')
      .filter((o) => allowed.some((probe) => probe.client.selector === `app=${o.metadata.labels?.app ?? ''}`))
      .map((o) => (o.spec as { template: { spec: { serviceAccountName?: string } } }).template.spec);
    expect(clientAccounts.length).toBeGreaterThan(0);
    expect(new Set(clientAccounts.map((spec) => spec.serviceAccountName))).toEqual(new Set(['curl']));
  });

  it('probes URLs served through the waypoint and splits reviews 90/10 over bookinfo-versions Services', () => {
    expect(new Set(probes(plan, 'weights').map((probe) => probe.url))).toEqual(
      new Set(['http://reviews.bookinfo:9080/reviews/0']),
    );
    expect(new Set(probes(plan, 'authz').map((probe) => probe.url))).toEqual(
      new Set(['http://productpage.bookinfo:9080/productpage']),
    );
    const services = objectsOf(plan)
      .filter((o) => o.kind === 'Service' && o.metadata.namespace === 'bookinfo')
      .map((o) => o.metadata.name);
    expect(services).toEqual(expect.arrayContaining(['reviews', 'reviews-v1', 'reviews-v2']));
    const route = objectsOf(plan).find((o) => o.kind === 'HTTPRoute');
    expect(route?.spec).toMatchObject({
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
      rules: [
        {
          backendRefs: [
            { name: 'reviews-v1', weight: 90 },
            { name: 'reviews-v2', weight: 10 },
          ],
        },
      ],
    });
  });
});

describe('scenario-specific review invariants', () => {
  it('revision-based owns the waypoint through the default tag and pins proxy-status to the new revision', () => {
    const plan = renderPlan('revision-based', input);
    const gateway = objectsOf(plan).find((o) => o.kind === 'Gateway');
    expect(gateway?.metadata.labels?.['istio.io/rev']).toBe('default');
    const tag = objectsOf(plan).find((o) => o.kind === 'IstioRevisionTag');
    expect(tag?.metadata.name).toBe('default');
    expect(objectsOf(plan).find((o) => o.kind === 'ZTunnel')?.spec).toMatchObject({
      targetRef: { kind: 'Istio', name: 'default' },
    });
    const upgrade = firstIndex(plan, (s) => s.action === 'upgrade' && s.target.kind === 'Istio');
    const after = probes({ ...plan, steps: plan.steps.slice(upgrade) }, 'proxy-status');
    expect(after.map((probe) => probe.expect.revision)).toEqual(after.map(() => 'default-v1-30-3'));
  });

  it('ztunnel-rolling starts connections before each ZTunnel patch and judges them with the grace of the pods replaced', () => {
    const plan = renderPlan('ztunnel-rolling', input);
    // The grace in force before each patch: the installed ZTunnel's (default 30), then what each patch set.
    const installed = objectsOf(plan).find((o) => o.kind === 'ZTunnel');
    let grace =
      (installed?.spec as { values?: { ztunnel?: { terminationGracePeriodSeconds?: number } } } | undefined)
        ?.values?.ztunnel?.terminationGracePeriodSeconds ?? 30;
    const replacedGraces: number[] = [];
    for (const step of plan.steps) {
      if (step.action !== 'upgrade' || step.target.kind !== 'ZTunnel') continue;
      replacedGraces.push(grace);
      const set = (
        step.spec as { values?: { ztunnel?: { terminationGracePeriodSeconds?: number } } } | undefined
      )?.values?.ztunnel?.terminationGracePeriodSeconds;
      if (set !== undefined) grace = set;
    }
    const starts = plan.steps.flatMap((s, i) =>
      s.action === 'probe' && s.probe.kind === 'connections-start' ? [i] : [],
    );
    const patches = plan.steps.flatMap((s, i) =>
      s.action === 'upgrade' && s.target.kind === 'ZTunnel' ? [i] : [],
    );
    expect(starts).toHaveLength(2);
    starts.forEach((start, round) => {
      expect(start).toBeLessThan(patches[round] ?? -1);
      if (round > 0) expect(start).toBeGreaterThan(patches[round - 1] ?? Infinity);
    });
    expect(replacedGraces).toEqual([30, 300]);
    expect(probes(plan, 'connections-check').map((c) => c.terminationGracePeriodSeconds)).toEqual(
      replacedGraces,
    );
  });

  it('ztunnel-node-drain keeps its traffic client off the workers it drains and bookinfo behind PDBs', () => {
    const plan = renderPlan('ztunnel-node-drain', input);
    const [start] = probes(plan, 'traffic-start');
    expect(start?.client.node).toEqual({ role: 'control-plane', index: 0 });
    const pdbs = objectsOf(plan).filter((o) => o.kind === 'PodDisruptionBudget');
    const deployments = objectsOf(plan).filter(
      (o) =>
        o.kind === 'Deployment' && o.metadata.namespace === 'bookinfo' && !o.metadata.name.includes('probe'),
    );
    for (const deployment of deployments) {
      expect((deployment.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
      expect(pdbs.map((p) => p.metadata.name)).toContain(deployment.metadata.name);
    }
    expect(pdbs.map((p) => p.metadata.name)).toContain('waypoint');
    expect(probes(plan, 'pod-snapshot').every((p) => p.namespaces.every((ns) => ns === 'ztunnel'))).toBe(
      true,
    );
  });

  it('cross-namespace-waypoint admits bookinfo on waypoint-foo and repairs the labels before the upgrade', () => {
    const plan = renderPlan('cross-namespace-waypoint', input);
    const gateway = objectsOf(plan).find((o) => o.kind === 'Gateway');
    expect(gateway?.metadata).toMatchObject({ name: 'waypoint-foo', namespace: 'foo' });
    expect(JSON.stringify(gateway?.spec)).toContain('"bookinfo"');
    const [labels] = probes(plan, 'namespace-labels');
    expect(labels).toMatchObject({
      namespace: 'bookinfo',
      repair: true,
      expected: { 'istio.io/use-waypoint': 'waypoint-foo', 'istio.io/use-waypoint-namespace': 'foo' },
    });
  });
});

// Issue 10 (verdicts that hold on a live mesh): what each plan must do so a check can neither pass a broken mesh
// nor fail a healthy one. Each invariant names the item it pins.
describe.each(SCENARIO_NAMES)('scenario %s (live-mesh verdicts)', (name) => {
  let plan: Plan;
  beforeAll(() => {
    plan = renderPlan(name, input);
  });
  const stepsWhere = (predicate: (step: Step) => boolean) =>
    plan.steps.flatMap((step, index) => (predicate(step) ? [index] : []));

  it('item 1: every authz row names the deny mechanism of the policy it probes (targetRefs → waypoint)', () => {
    const policies = objectsOf(plan).filter((o) => o.kind === 'AuthorizationPolicy');
    expect(policies).toHaveLength(1);
    const spec = policies[0]?.spec as { targetRefs?: unknown[]; selector?: unknown };
    const mechanism = spec.targetRefs && spec.targetRefs.length > 0 ? 'waypoint' : 'ztunnel';
    expect(mechanism).toBe('waypoint');
    const rows = probes(plan, 'authz');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.denyBy).toBe(mechanism);
  });

  it('item 8: before every weights check the route is Accepted, a warm-up of ≥ 20 runs, and before the matrix a good run and one RBAC deny', () => {
    const route = objectsOf(plan).find((o) => o.kind === 'HTTPRoute');
    const weights = stepsWhere((s) => s.action === 'probe' && s.probe.kind === 'weights');
    expect(weights.length).toBeGreaterThanOrEqual(2);
    for (const at of weights) {
      const step = plan.steps[at];
      if (step?.action !== 'probe' || step.probe.kind !== 'weights') throw new Error('not a weights step');
      expect(step.probe.warmup.count).toBeGreaterThanOrEqual(20);
      expect(step.probe.warmup.timeoutMs).toBeGreaterThan(0);
      const before = plan.steps.slice(0, at).filter((s) => s.phase === step.phase);
      expect(
        before.some(
          (s) =>
            s.action === 'wait' &&
            s.condition.kind === 'route-accepted' &&
            s.condition.name === route?.metadata.name &&
            s.condition.namespace === route?.metadata.namespace,
        ),
      ).toBe(true);
    }
    for (const phase of ['baseline', 'verify'] as const) {
      const steps = plan.steps.filter((s) => s.phase === phase);
      const firstRow = steps.findIndex(
        (s) => s.action === 'probe' && s.probe.kind === 'authz' && !s.probe.settle,
      );
      const settles = steps
        .slice(0, firstRow)
        .flatMap((s) =>
          s.action === 'probe' && s.probe.kind === 'authz' && s.probe.settle ? [s.probe] : [],
        );
      expect(settles.some((p) => p.expect === 'deny' && p.settle?.consecutive === 1)).toBe(true);
      expect(settles.some((p) => p.expect === 'allow' && (p.settle?.consecutive ?? 0) >= 5)).toBe(true);
    }
  });

  it('item 4: after every ztunnel change a syncz probe expects every ztunnel on the serving revision and version', () => {
    const changes = stepsWhere(
      (s) =>
        (s.action === 'apply' && s.objects.some((o) => o.kind === 'ZTunnel')) ||
        (s.action === 'upgrade' && s.target.kind === 'ZTunnel') ||
        (s.action === 'wait' && s.condition.kind === 'ztunnel-on-revision'),
    );
    expect(changes.length).toBeGreaterThan(0);
    for (const [n, at] of changes.entries()) {
      const next = changes[n + 1] ?? plan.steps.length;
      const synced = plan.steps
        .slice(at + 1, next)
        .flatMap((s) => (s.action === 'probe' && s.probe.kind === 'ztunnel-proxy-status' ? [s.probe] : []));
      expect(synced, `no syncz probe after step ${plan.steps[at]?.id}`).toHaveLength(1);
      const probe = synced[0];
      const index = plan.steps.findIndex((s) => s.action === 'probe' && s.probe === probe);
      expect(probe?.expect.version).toBe(meshAfter(plan.steps, index).ztunnel);
      const revisionNow = plan.strategy === 'InPlace' ? 'default' : activeRevisionBefore(plan, index);
      expect(probe?.expect.revision).toBe(revisionNow);
    }
  });

  it('item 6: verify waits for Sail’s own verdict: Istio Healthy with DependenciesHealthy', () => {
    const verify = plan.steps.filter((s) => s.phase === 'verify');
    expect(verify.some((s) => s.action === 'wait' && s.condition.kind === 'istio-healthy')).toBe(true);
  });

  it('deviations from the documented install are listed only where the plan makes them', () => {
    const istio = objectsOf(plan).find((o) => o.kind === 'Istio');
    const pilot =
      (istio?.spec as { values?: { pilot?: Record<string, unknown> } } | undefined)?.values?.pilot ?? {};
    const bookinfo = objectsOf(plan).filter(
      (o) =>
        o.kind === 'Deployment' && o.metadata.namespace === 'bookinfo' && !o.metadata.name.includes('probe'),
    );
    const scaled = bookinfo.some((d) => ((d.spec as { replicas?: number }).replicas ?? 1) > 1);
    if (pilot.autoscaleMin !== undefined || scaled) {
      expect(plan.deviations.join('\n')).toContain(
        pilot.autoscaleMin === undefined ? 'replicas' : 'autoscaleMin',
      );
      if (scaled) expect(plan.deviations.join('\n')).toContain('bookinfo');
    } else {
      expect(plan.deviations).toEqual([]);
    }
  });
});

/** The revision the Istio is on just before step `index` (RevisionBased: from the Istio upgrade on, the new one). */
function activeRevisionBefore(plan: Plan, index: number): string {
  const upgraded = plan.steps
    .slice(0, index)
    .some((s) => s.action === 'upgrade' && s.target.kind === 'Istio');
  const version = upgraded ? plan.to : plan.from;
  return `default-${version.replaceAll('.', '-')}`;
}

describe('scenario-specific live-mesh verdicts', () => {
  it('item 2: revision-based waits for ZTunnel to really move to the new revision and judges connections across that re-roll', () => {
    const plan = renderPlan('revision-based', input);
    const istioUpgrade = firstIndex(plan, (s) => s.action === 'upgrade' && s.target.kind === 'Istio');
    const moved = firstIndex(plan, (s) => s.action === 'wait' && s.condition.kind === 'ztunnel-on-revision');
    const step = plan.steps[moved];
    expect(step?.action === 'wait' && step.condition).toEqual({
      kind: 'ztunnel-on-revision',
      revision: 'default-v1-30-3',
      istiodNamespace: 'istio-system',
      version: 'v1.29.6',
    });
    const start = firstIndex(plan, (s) => s.action === 'probe' && s.probe.kind === 'connections-start');
    const check = firstIndex(plan, (s) => s.action === 'probe' && s.probe.kind === 'connections-check');
    expect(start).toBeLessThan(istioUpgrade);
    expect(istioUpgrade).toBeLessThan(moved);
    expect(moved).toBeLessThan(check);
    const checkStep = plan.steps[check];
    expect(checkStep?.action === 'probe' && checkStep.probe).toMatchObject({
      mode: 'ztunnel-rollout',
      terminationGracePeriodSeconds: 30,
    });
    // No plain ztunnel rollout wait stands in for the move (it passes on the old template).
    const ztunnelUpgrade = firstIndex(plan, (s) => s.action === 'upgrade' && s.target.kind === 'ZTunnel');
    expect(
      plan.steps
        .slice(istioUpgrade, ztunnelUpgrade)
        .some(
          (s) =>
            s.action === 'wait' &&
            s.condition.kind === 'daemonset-rolled-out' &&
            s.condition.name === 'ztunnel',
        ),
    ).toBe(false);
  });

  it('item 3: node-drain reads the new ztunnel’s workloadState, polled with a timeout', () => {
    const plan = renderPlan('ztunnel-node-drain', input);
    const checks = probes(plan, 'node-ztunnel');
    expect(checks).toHaveLength(plan.workers);
    for (const check of checks) expect(check.timeoutMs).toBeGreaterThan(0);
  });

  it('item 5: cross-namespace-waypoint reads the labels again after the upgrade, without repair', () => {
    const plan = renderPlan('cross-namespace-waypoint', input);
    const lastUpgrade = plan.steps.findLastIndex((s) => s.action === 'upgrade');
    const after = probes({ ...plan, steps: plan.steps.slice(lastUpgrade) }, 'namespace-labels');
    expect(after).toEqual([
      {
        kind: 'namespace-labels',
        namespace: 'bookinfo',
        expected: {
          'istio.io/dataplane-mode': 'ambient',
          'istio.io/use-waypoint': 'waypoint-foo',
          'istio.io/use-waypoint-namespace': 'foo',
        },
        repair: false,
      },
    ]);
  });

  it('item 11: node-drain runs istiod with 2 replicas (and its PDB) and waits for the cluster DNS after every drain', () => {
    const plan = renderPlan('ztunnel-node-drain', input);
    const istio = objectsOf(plan).find((o) => o.kind === 'Istio');
    expect(istio?.spec).toMatchObject({ values: { pilot: { autoscaleMin: 2 } } });
    const rollouts = plan.steps.flatMap((s) =>
      s.action === 'wait' && s.condition.kind === 'istiod-rolled-out' ? [s.condition.minReplicas] : [],
    );
    expect(rollouts.length).toBeGreaterThan(0);
    expect(rollouts.every((min) => min === 2)).toBe(true);
    const drains = plan.steps.flatMap((s, i) => (s.action === 'drain' ? [i] : []));
    expect(drains).toHaveLength(plan.workers + 1);
    for (const at of drains) {
      expect(plan.steps[at + 1]).toMatchObject({
        action: 'wait',
        condition: { kind: 'cluster-dns-available' },
      });
    }
    expect(plan.deviations.some((d) => d.includes('autoscaleMin: 2'))).toBe(true);
  });
});
