import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import type { RenderInput } from '../../../helpers/plan/render.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../../helpers/plan/scenarios/index.ts';
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

  it('ztunnel-rolling starts connections before each ZTunnel patch and judges them with that round’s grace', () => {
    const plan = renderPlan('ztunnel-rolling', input);
    const ztunnelApplies = objectsOf(plan).filter((o) => o.kind === 'ZTunnel');
    const graces = ztunnelApplies.map(
      (o) =>
        (o.spec as { values?: { ztunnel?: { terminationGracePeriodSeconds?: number } } }).values?.ztunnel
          ?.terminationGracePeriodSeconds ?? 30,
    );
    const starts = plan.steps.flatMap((s, i) =>
      s.action === 'probe' && s.probe.kind === 'connections-start' ? [i] : [],
    );
    const patches = plan.steps.flatMap((s, i) =>
      s.action === 'upgrade' && s.target.kind === 'ZTunnel' ? [i] : [],
    );
    expect(starts).toHaveLength(2);
    starts.forEach((start, round) => {
      expect(start).toBeLessThan(patches[round] ?? -1);
    });
    expect(probes(plan, 'connections-check').map((c) => c.terminationGracePeriodSeconds)).toEqual(graces);
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
