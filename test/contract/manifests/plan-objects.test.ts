import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRef, type KubeObject, refOf } from '../../../helpers/k8s/types.ts';
import { loadSamples } from '../../../helpers/mesh/samples.ts';
import { type Plan, renderPlan, scenarios } from '../../../helpers/plan/index.ts';
import type { SchemaValidator } from '../../../helpers/schema/index.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';
import { UPSTREAM_DIR, upstreamValidator } from '../schema/upstream.ts';

// The certified pairs for Sail 1.30.3 (FACTS §1). Skew findings are recorded, not refused: this test is
// about the objects, and the n-2 RevisionBased jump is exactly what the skew policy may refuse.
const PAIRS = {
  InPlace: { from: 'v1.29.6', to: 'v1.30.3' },
  RevisionBased: { from: 'v1.28.10', to: 'v1.30.3' },
} as const;

let validator: SchemaValidator;
const plans = new Map<string, Plan>();

beforeAll(async () => {
  validator = await upstreamValidator();
  const samples = await loadSamples('v1.30.3', { manifestsDir: join(UPSTREAM_DIR, 'istio/samples') });
  for (const scenario of scenarios) {
    const pair = PAIRS[scenario.strategy];
    plans.set(
      scenario.name,
      renderPlan(scenario.name, {
        from: parseVersion(pair.from),
        to: parseVersion(pair.to),
        workers: Math.max(2, scenario.minWorkers),
        samples,
        probeBundle: 'export {};\n',
        runId: 'contract-run',
        allowSkew: true,
      }),
    );
  }
});

function key(object: KubeObject): string {
  return describeRef(refOf(object));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON merge patch (RFC 7386), which is what an upgrade step sends. */
function mergePatch(target: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else out[name] = isRecord(value) ? mergePatch(out[name], value) : value;
  }
  return out;
}

/** Every object a plan sends to the cluster: applied objects, and Sail CRs as they stand after each upgrade. */
function objectsSent(plan: Plan): { step: string; object: KubeObject }[] {
  const applied = new Map<string, KubeObject>();
  const sent: { step: string; object: KubeObject }[] = [];
  for (const step of plan.steps) {
    if (step.action === 'apply') {
      for (const object of step.objects) {
        applied.set(key(object), object);
        sent.push({ step: `${step.id} ${step.name}`, object });
      }
    } else if (step.action === 'upgrade') {
      const current = applied.get(describeRef(step.target));
      if (!current)
        throw new Error(
          `step ${step.id} upgrades ${describeRef(step.target)}, which no earlier step applied`,
        );
      const spec = mergePatch(current.spec, { ...step.spec, version: step.version });
      const upgraded: KubeObject = { ...current, spec };
      applied.set(key(upgraded), upgraded);
      sent.push({ step: `${step.id} ${step.name}`, object: upgraded });
    }
  }
  return sent;
}

describe('every object of every scenario plan validates against the real schemas', () => {
  it.each(scenarios.map((scenario) => scenario.name))('%s', (name) => {
    const plan = plans.get(name);
    if (!plan) throw new Error(`no plan rendered for ${name}`);
    const sent = objectsSent(plan);
    expect(sent.length).toBeGreaterThan(0);
    const errors = sent.flatMap(({ step, object }) => {
      const result = validator.validate(object);
      return result.ok ? [] : result.errors.map((error) => `${step}: ${error}`);
    });
    expect(errors).toEqual([]);
  });

  it('includes the Sail CRs, the waypoint and the L7 objects', () => {
    const kinds = new Set(
      [...plans.values()].flatMap((plan) => objectsSent(plan).map(({ object }) => object.kind)),
    );
    for (const kind of [
      'Istio',
      'IstioCNI',
      'ZTunnel',
      'Gateway',
      'HTTPRoute',
      'AuthorizationPolicy',
      'Deployment',
    ]) {
      expect(kinds).toContain(kind);
    }
  });
});
