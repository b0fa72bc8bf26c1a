import type { KubeObject, ObjectRef } from '../k8s/types.ts';
import type { NodeRef, ProbeSpec, Step, StepAction, StepPhase, WaitCondition } from './types.ts';

/** Step ids are the plan position × 10, zero-padded to three digits: room to insert by hand when debugging. */
export function stepId(index: number): string {
  return String((index + 1) * 10).padStart(3, '0');
}

/** A file-name slug of a step name: lower case, runs of other characters → '-', at most 60 characters. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/**
 * Collects a scenario's steps in order. Each call appends one step in the current phase; ids and apply file
 * names follow from the position, so a scenario only says what to do.
 */
export class StepList {
  readonly steps: Step[] = [];
  private phase: StepPhase = 'setup';

  inPhase(phase: StepPhase): this {
    this.phase = phase;
    return this;
  }

  apply(name: string, objects: KubeObject[]): this {
    const id = stepId(this.steps.length);
    return this.push(name, { action: 'apply', objects: dedupe(objects), file: `${id}-${slug(name)}.yaml` });
  }

  wait(name: string, condition: WaitCondition, timeoutMs: number): this {
    return this.push(name, { action: 'wait', condition, timeoutMs });
  }

  probe(name: string, probe: ProbeSpec): this {
    return this.push(name, { action: 'probe', probe });
  }

  upgrade(name: string, target: ObjectRef, version: string, spec?: Record<string, unknown>): this {
    return this.push(
      name,
      spec === undefined
        ? { action: 'upgrade', target, version }
        : { action: 'upgrade', target, version, spec },
    );
  }

  drain(
    name: string,
    node: NodeRef,
    ztunnel: { namespace: string; selector: string; fromVersion: string; toVersion: string },
    timeoutMs: number,
  ): this {
    return this.push(name, { action: 'drain', node, ztunnel, timeoutMs });
  }

  delete(name: string, objects: ObjectRef[]): this {
    return this.push(name, { action: 'delete', objects });
  }

  label(name: string, target: ObjectRef | { node: NodeRef }, labels: Record<string, string | null>): this {
    return this.push(name, { action: 'label', target, labels });
  }

  private push(name: string, action: StepAction): this {
    this.steps.push({ id: stepId(this.steps.length), name, phase: this.phase, ...action });
    return this;
  }
}

/** Drops later copies of the same object (two clients sharing a ServiceAccount), keeping the first. */
function dedupe(objects: KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  return objects.filter((object) => {
    const key = `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
