import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Capability } from '../capabilities.ts';
import { UserError } from '../errors.ts';
import { type ObjectRef, refOf } from '../k8s/types.ts';
import { stepNeeds } from './needs.ts';
import type { Plan, Step } from './types.ts';
import { upgradePatchFile, upgradePatchYaml } from './upgrade-patch.ts';

const STEP_FILE = /^\d{3,}-[a-z0-9-]*(\.patch)?\.yaml$/;

/** One entry of plan.json: the step as the runner sees it, objects reduced to references. */
export interface PlanJsonStep {
  id: string;
  name: string;
  phase: Step['phase'];
  action: Step['action'];
  /** What the cluster must be able to do for the step to run (helpers/capabilities.ts); [] for the API alone. */
  needs: Capability[];
  objects: ObjectRef[];
  file?: string;
  version?: string;
  spec?: Record<string, unknown>;
  condition?: unknown;
  timeoutMs?: number;
  probe?: unknown;
  node?: unknown;
  ztunnel?: unknown;
  labels?: Record<string, string | null>;
  target?: unknown;
}

export interface PlanJson {
  scenario: string;
  description: string;
  from: string;
  to: string;
  strategy: string;
  workers: number;
  allowSkew: boolean;
  skewFindings: string[];
  steps: PlanJsonStep[];
}

/** The objects a step acts on, as references (none for waits and probes). */
export function stepObjects(step: Step): ObjectRef[] {
  switch (step.action) {
    case 'apply':
      return step.objects.map(refOf);
    case 'upgrade':
      return [step.target];
    case 'delete':
      return step.objects;
    case 'label':
      return 'node' in step.target ? [] : [step.target];
    case 'wait':
    case 'probe':
    case 'drain':
      return [];
  }
}

export function toPlanJson(plan: Plan): PlanJson {
  return {
    scenario: plan.scenario,
    description: plan.description,
    from: plan.from,
    to: plan.to,
    strategy: plan.strategy,
    workers: plan.workers,
    allowSkew: plan.allowSkew,
    skewFindings: plan.skewFindings,
    steps: plan.steps.map(toJsonStep),
  };
}

/** One step as `plan.json` shows it (objects as references): what the report attaches to each step. */
export function toJsonStep(step: Step): PlanJsonStep {
  const base = {
    id: step.id,
    name: step.name,
    phase: step.phase,
    action: step.action,
    needs: [...stepNeeds(step)],
    objects: stepObjects(step),
  };
  switch (step.action) {
    case 'apply':
      return { ...base, file: step.file };
    case 'wait':
      return { ...base, condition: step.condition, timeoutMs: step.timeoutMs };
    case 'probe':
      return { ...base, probe: step.probe };
    case 'upgrade':
      return step.spec === undefined
        ? { ...base, version: step.version }
        : { ...base, version: step.version, spec: step.spec };
    case 'drain':
      return { ...base, node: step.node, ztunnel: step.ztunnel, timeoutMs: step.timeoutMs };
    case 'delete':
      return base;
    case 'label':
      return { ...base, target: step.target, labels: step.labels };
  }
}

/** Multi-document YAML of complete objects, in apply order. */
export function applyFileYaml(step: Extract<Step, { action: 'apply' }>): string {
  return step.objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

/**
 * Writes one YAML file per apply step (named by the step: `<id>-<slug>.yaml`, so files sort in apply order), one
 * `<id>-<slug>.patch.yaml` per upgrade step (its merge patch) and
 * `plan.json`, after removing numbered YAML files an earlier plan left in `outDir`. Returns the paths written,
 * plan.json last.
 */
export async function writePlan(plan: Plan, outDir: string): Promise<string[]> {
  try {
    await mkdir(outDir, { recursive: true });
    // A previous plan's numbered files would otherwise mix with this one's.
    for (const name of await readdir(outDir)) {
      if (STEP_FILE.test(name)) await rm(join(outDir, name));
    }
    const written: string[] = [];
    for (const step of plan.steps) {
      if (step.action !== 'apply' && step.action !== 'upgrade') continue;
      // Upgrade patches get a file too, so a reviewer sees the exact change beside the applied objects.
      const path = join(outDir, step.action === 'apply' ? step.file : upgradePatchFile(step));
      await writeFile(path, step.action === 'apply' ? applyFileYaml(step) : upgradePatchYaml(step));
      written.push(path);
    }
    const planPath = join(outDir, 'plan.json');
    await writeFile(planPath, `${JSON.stringify(toPlanJson(plan), null, 2)}\n`);
    written.push(planPath);
    return written;
  } catch (error) {
    throw new UserError(
      `cannot write the plan to ${outDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}) — pass a writable --out directory`,
      {
        cause: error,
      },
    );
  }
}
