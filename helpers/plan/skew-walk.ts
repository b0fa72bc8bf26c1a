import { checkMeshSkew, inState } from '../versions/skew.ts';
import { tryParseVersion } from '../versions/version.ts';
import type { Step } from './types.ts';

/** Which Sail kind carries which component's version. */
const COMPONENTS = { Istio: 'controlPlane', IstioCNI: 'cni', ZTunnel: 'ztunnel' } as const;
type Component = (typeof COMPONENTS)[keyof typeof COMPONENTS];

/** The component versions (Sail form) a plan has set so far; absent until applied, again after a delete. */
export type PlannedMesh = Partial<Record<Component, string>>;

function componentOf(kind: string): Component | undefined {
  return Object.hasOwn(COMPONENTS, kind) ? COMPONENTS[kind as keyof typeof COMPONENTS] : undefined;
}

/** Applies one step's effect on the planned versions. */
export function advanceMesh(mesh: PlannedMesh, step: Step): PlannedMesh {
  const next = { ...mesh };
  if (step.action === 'apply') {
    for (const object of step.objects) {
      const component = componentOf(object.kind);
      const spec = object.spec as { version?: unknown } | undefined;
      if (component && typeof spec?.version === 'string') next[component] = spec.version;
    }
  } else if (step.action === 'upgrade') {
    const component = componentOf(step.target.kind);
    if (component) next[component] = step.version;
  } else if (step.action === 'delete') {
    for (const ref of step.objects) {
      const component = componentOf(ref.kind);
      if (component) delete next[component];
    }
  }
  return next;
}

/** The planned versions after the first `count` steps. */
export function meshAfter(steps: Step[], count = steps.length): PlannedMesh {
  return steps.slice(0, count).reduce(advanceMesh, {});
}

/**
 * Walks a plan and checks the skew policy after every step that changed a version, once all three components
 * exist. Returns one reason per violating state (empty when the plan stays within policy).
 */
export function checkPlanSkew(steps: Step[]): string[] {
  const violations: string[] = [];
  let mesh: PlannedMesh = {};
  for (const step of steps) {
    const next = advanceMesh(mesh, step);
    const changed =
      next.controlPlane !== mesh.controlPlane || next.cni !== mesh.cni || next.ztunnel !== mesh.ztunnel;
    mesh = next;
    if (!changed) continue;
    const controlPlane = mesh.controlPlane === undefined ? undefined : tryParseVersion(mesh.controlPlane);
    const cni = mesh.cni === undefined ? undefined : tryParseVersion(mesh.cni);
    const ztunnel = mesh.ztunnel === undefined ? undefined : tryParseVersion(mesh.ztunnel);
    if (!controlPlane || !cni || !ztunnel) continue;
    const verdict = checkMeshSkew({ controlPlane, cni, ztunnel });
    if (!verdict.ok) violations.push(inState(`${step.id} ${step.name}`, verdict.reason));
  }
  return violations;
}
