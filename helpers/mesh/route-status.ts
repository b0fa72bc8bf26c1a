import { z } from 'zod';
import { Condition, conditionOf, parseAs } from './k8s-shapes.ts';
import type { Readiness } from './readiness.ts';

// An HTTPRoute's parent status, as the controller (istiod, for mesh routes on a Service parent) writes it. Gateway
// API conformance (`HTTPRouteMustHaveParents`, `conformance/utils/kubernetes/helpers.go`) waits for the same thing
// before sampling: every parent Accepted and ResolvedRefs on the route's current generation.

const ParentRef = z.object({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string(),
  port: z.number().optional(),
  sectionName: z.string().optional(),
});
type ParentRef = z.infer<typeof ParentRef>;

const HttpRoute = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    generation: z.number().optional(),
  }),
  spec: z.object({ parentRefs: z.array(ParentRef).default([]) }).default({ parentRefs: [] }),
  status: z
    .object({
      parents: z
        .array(
          z.object({
            parentRef: ParentRef,
            controllerName: z.string().optional(),
            conditions: z.array(Condition).default([]),
          }),
        )
        .default([]),
    })
    .optional(),
});

/** Kind defaults to Gateway, group to the Gateway API group, namespace to the route's (Gateway API defaults). */
function sameParent(a: ParentRef, b: ParentRef, routeNamespace: string | undefined): boolean {
  const group = (p: ParentRef) => p.group ?? 'gateway.networking.k8s.io';
  return (
    a.name === b.name &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    group(a) === group(b) &&
    (a.namespace ?? routeNamespace) === (b.namespace ?? routeNamespace) &&
    (a.port === undefined || b.port === undefined || a.port === b.port) &&
    a.sectionName === b.sectionName
  );
}

function describeParent(p: ParentRef): string {
  return `${p.kind ?? 'Gateway'} ${p.namespace ? `${p.namespace}/` : ''}${p.name}${p.port === undefined ? '' : `:${p.port}`}`;
}

/**
 * Every parent in `spec.parentRefs` has a status entry whose `Accepted` and `ResolvedRefs` are True with
 * `observedGeneration == metadata.generation`. A condition from an older generation describes a route that no
 * longer exists: it does not count (a `reviews-v3` answer sampled then would fail a healthy baseline).
 */
export function routeAccepted(object: unknown): Readiness {
  if (object === undefined) return { done: false, detail: 'HTTPRoute not found' };
  const route = parseAs(HttpRoute, object, 'HTTPRoute');
  if (route instanceof Error) return { done: false, detail: route.message };
  const { metadata } = route;
  const namespace = metadata.namespace;
  const parents = route.status?.parents ?? [];
  const reasons: string[] = [];
  const seen: string[] = [];
  if (route.spec.parentRefs.length === 0) reasons.push('the route names no parent');
  for (const ref of route.spec.parentRefs) {
    const entry = parents.find((p) => sameParent(p.parentRef, ref, namespace));
    const name = describeParent(ref);
    if (!entry) {
      reasons.push(`no status for parent ${name} yet`);
      continue;
    }
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const condition = conditionOf(entry.conditions, type);
      seen.push(
        `${name} ${type}=${condition?.status ?? '-'}@${condition?.observedGeneration ?? '-'}${condition?.reason ? ` (${condition.reason})` : ''}`,
      );
      if (condition?.status !== 'True') {
        reasons.push(
          `${name}: ${type} is ${condition?.status ?? 'not reported'}${condition?.message ? `: ${condition.message}` : ''}`,
        );
      } else if (condition.observedGeneration !== metadata.generation) {
        reasons.push(
          `${name}: ${type} describes generation ${condition.observedGeneration ?? 'unset'}, the route is at ${metadata.generation ?? 'unset'}`,
        );
      }
    }
  }
  const detail = `HTTPRoute ${namespace ? `${namespace}/` : ''}${metadata.name} (generation ${metadata.generation ?? '-'}): ${seen.join(', ') || 'no parent status'}`;
  return reasons.length === 0
    ? { done: true, detail }
    : { done: false, detail: `${detail} — not done: ${reasons.join('; ')}` };
}
