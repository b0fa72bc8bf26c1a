import type { Plan, Step, WaitCondition } from '../helpers/plan/types.ts';
import { stepTitle } from '../helpers/report/step.ts';
import type { ComponentVersions, PlannedStep, StepMeta } from '../helpers/report/summary-schema.ts';

// What the certification page needs to know about a plan, in the summary's words: the steps as declared, one line
// per step saying what it waits for or changes, and the component versions before and after the upgrade.

const SAIL_KINDS = new Set(['Istio', 'IstioRevision', 'IstioCNI', 'ZTunnel']);

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function describeCondition(c: WaitCondition): string {
  switch (c.kind) {
    case 'sail-ready':
      return `${c.target.kind}/${c.target.name} Reconciled+Ready${c.version ? ` on ${c.version}` : ''}`;
    case 'istiod-rolled-out':
      return `istiod (revision ${c.revision}) rolled out on ${c.version}`;
    case 'daemonset-rolled-out':
      return `DaemonSet ${c.namespace}/${c.name} rolled out on ${c.version}`;
    case 'revisions':
      return `Istio ${c.istio} active revision ${c.activeRevision} on ${c.version}${c.total === undefined ? '' : `, ${c.total} revision(s)`}`;
    case 'revision-gone':
      return `IstioRevision ${c.name} and its istiod gone`;
    case 'tag-points-to':
      return `IstioRevisionTag ${c.tag} → ${c.revision}`;
    case 'pods-ready':
      return `≥ ${c.min} pod(s) ${c.selector} Ready in ${c.namespace}`;
    case 'waypoint-programmed':
      return `waypoint ${c.namespace}/${c.name} Programmed`;
    case 'waypoint-rolled-out':
      return `waypoint ${c.namespace}/${c.name} rolled out on ${c.version}`;
    case 'gone':
      return `${c.objects.map((o) => `${o.kind}/${o.name}`).join(', ')} gone`;
    default: {
      // A condition added later still gets a line: its kind and the object it names, if any.
      const named = c as { kind: string; namespace?: string; name?: string };
      return `${named.kind}${named.name ? ` ${named.namespace ? `${named.namespace}/` : ''}${named.name}` : ''}`;
    }
  }
}

/** One line: what a step waits for, patches, drains or probes. */
export function stepDetail(step: Step): string {
  switch (step.action) {
    case 'wait':
      return `waits for ${describeCondition(step.condition)} (timeout ${seconds(step.timeoutMs)})`;
    case 'upgrade':
      return `patches ${step.target.kind}/${step.target.name} spec.version → ${step.version}`;
    case 'drain':
      return `drains ${step.node.role}-${step.node.index}; ztunnel ${step.ztunnel.fromVersion} → ${step.ztunnel.toVersion} (timeout ${seconds(step.timeoutMs)})`;
    case 'probe':
      return `probe ${step.probe.kind}`;
    case 'apply':
      return `applies ${step.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`;
    case 'delete':
      return `deletes ${step.objects.map((o) => `${o.kind}/${o.name}`).join(', ')}`;
    case 'label':
      return `labels ${'node' in step.target ? `${step.target.node.role}-${step.target.node.index}` : `${step.target.kind}/${step.target.name}`}`;
  }
}

export function stepMeta(step: Step): StepMeta {
  return { id: step.id, action: step.action, phase: step.phase, detail: stepDetail(step) };
}

export function plannedSteps(plan: Plan): PlannedStep[] {
  return plan.steps.map((s) => ({
    id: s.id,
    title: stepTitle(Number(s.id), s.action, s.name),
    action: s.action,
    phase: s.phase,
    detail: stepDetail(s),
  }));
}

function waitVersion(c: WaitCondition): string | undefined {
  return 'version' in c ? c.version : undefined;
}

/** Whether a wait speaks about `component` (`Kind/name`): its own readiness or the workload it rolls out. */
function waitConfirms(c: WaitCondition, kind: string, name: string): boolean {
  switch (c.kind) {
    case 'sail-ready':
      return c.target.kind === kind && c.target.name === name;
    case 'istiod-rolled-out':
    case 'revisions':
      return kind === 'Istio' || kind === 'IstioRevision';
    case 'daemonset-rolled-out':
      return (
        (kind === 'ZTunnel' && c.name === 'ztunnel') || (kind === 'IstioCNI' && c.name === 'istio-cni-node')
      );
    default:
      return false;
  }
}

/**
 * The Sail components the plan installs (`before`: the version it applies) and upgrades (`after`: the version
 * it patches in), with the last wait or drain after the upgrade that confirms the new version. These are the
 * plan's versions; whether the cluster reached them is the confirming check's verdict.
 */
export function planComponents(plan: Plan): ComponentVersions[] {
  const rows = new Map<string, ComponentVersions & { upgradedAt?: number }>();
  plan.steps.forEach((step, i) => {
    if (step.action === 'apply') {
      for (const o of step.objects) {
        if (!SAIL_KINDS.has(o.kind)) continue;
        const version = (o as { spec?: { version?: unknown } }).spec?.version;
        const key = `${o.kind}/${o.metadata.name}`;
        if (typeof version === 'string' && !rows.has(key))
          rows.set(key, { component: key, before: version, after: null });
      }
    } else if (step.action === 'upgrade') {
      const key = `${step.target.kind}/${step.target.name}`;
      const row = rows.get(key) ?? { component: key, before: null, after: null };
      rows.set(key, { ...row, after: step.version, upgradedAt: i });
    }
  });
  return [...rows.values()].map(({ upgradedAt, ...row }) => {
    if (upgradedAt === undefined || row.after === null) return row;
    const [kind = '', name = ''] = row.component.split('/');
    const confirming = plan.steps
      .slice(upgradedAt + 1)
      .filter(
        (s) =>
          (s.action === 'wait' &&
            waitVersion(s.condition) === row.after &&
            waitConfirms(s.condition, kind, name)) ||
          (s.action === 'drain' && kind === 'ZTunnel' && s.ztunnel.toVersion === row.after),
      )
      .at(-1);
    return confirming === undefined ? row : { ...row, confirmedBy: `${confirming.id} ${confirming.name}` };
  });
}

/** Everything `SummaryRecorder.start` takes from a plan; skew waved through is a deviation the reader must see. */
export function planFacts(plan: Plan) {
  return {
    steps: plannedSteps(plan),
    components: planComponents(plan),
    strategy: plan.strategy,
    notes: plan.allowSkew
      ? plan.skewFindings.map((f) => `version skew accepted with --allow-skew: ${f}`)
      : [],
  };
}
