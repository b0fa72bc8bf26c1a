import { z } from 'zod';
import { Condition, conditionOf, describeConditions, parseAs } from './k8s-shapes.ts';
import type { Readiness } from './readiness.ts';

// Sail's own verdict on an Istio: `status.state` sums up the revision's health, `DependenciesHealthy` says whether
// what the revision needs (IstioCNI, ZTunnel in ambient) is healthy (sail-operator api-reference, IstioCondition).

const IstioStatus = z.object({
  metadata: z.object({ name: z.string() }),
  status: z.object({ state: z.string().optional(), conditions: z.array(Condition).optional() }).optional(),
});

/** Istio `status.state == Healthy` and `DependenciesHealthy` True; otherwise what Sail says is wrong. */
export function istioHealthy(object: unknown): Readiness {
  if (object === undefined) return { done: false, detail: 'Istio not found' };
  const istio = parseAs(IstioStatus, object, 'Istio');
  if (istio instanceof Error) return { done: false, detail: istio.message };
  const { state, conditions } = istio.status ?? {};
  const seen = `Istio ${istio.metadata.name}: state=${state ?? '-'}, ${describeConditions(conditions)}`;
  const reasons: string[] = [];
  if (state !== 'Healthy') reasons.push(`state is ${state ?? 'not reported'}, expected Healthy`);
  const dependencies = conditionOf(conditions, 'DependenciesHealthy');
  if (dependencies?.status !== 'True') {
    reasons.push(
      `DependenciesHealthy is ${dependencies?.status ?? 'not reported'}${dependencies?.reason ? ` (${dependencies.reason})` : ''}${dependencies?.message ? `: ${dependencies.message}` : ''}`,
    );
  }
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}
