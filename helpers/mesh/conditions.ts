import { z } from 'zod';
import { type Readiness, sailReady } from './readiness.ts';
import { istioRevisions, tagRevision } from './revisions.ts';

// Judgements for the plan's wait conditions that are not a single CR's readiness. Pure: plain API JSON in,
// `{ done, detail }` out, so a timeout can say why it was not done.

const Named = z.object({
  metadata: z.object({
    name: z.string(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string() })).optional(),
  }),
});

/** Sail sets the Istio as owner of its IstioRevisions; revisions of another Istio CR are not counted. */
function ownedBy(revision: unknown, istio: string): boolean {
  const owners = Named.safeParse(revision).data?.metadata.ownerReferences;
  return owners === undefined || owners.some((o) => o.kind === 'Istio' && o.name === istio);
}

/**
 * Istio `istio` has `activeRevision` active and Ready on `version`, and — with `total` — exactly that many
 * IstioRevisions exist (status count and the listed objects both, since the status lags a deletion).
 */
export function revisionsAsExpected(input: {
  istio: unknown;
  revisions: readonly unknown[];
  activeRevision: string;
  version: string;
  total?: number;
}): Readiness {
  if (input.istio === undefined) return { done: false, detail: 'Istio not found' };
  const view = istioRevisions(input.istio);
  const revisions = input.revisions.filter((r) => ownedBy(r, view.name));
  const names = revisions.map((r) => Named.safeParse(r).data?.metadata.name ?? '?').sort();
  const seen = `Istio ${view.name}: active=${view.active ?? 'unset'} status.revisions.total=${view.total ?? '-'}; IstioRevisions: ${names.join(', ') || 'none'}`;
  const reasons: string[] = [];
  if (view.active !== input.activeRevision)
    reasons.push(`active revision is ${view.active ?? 'unset'}, expected ${input.activeRevision}`);
  const active = revisions.find((r) => Named.safeParse(r).data?.metadata.name === input.activeRevision);
  if (!active) reasons.push(`IstioRevision ${input.activeRevision} does not exist`);
  else {
    const ready = sailReady(active, { version: input.version });
    if (!ready.done) reasons.push(ready.detail);
  }
  if (input.total !== undefined) {
    if (names.length !== input.total)
      reasons.push(`${names.length} IstioRevisions exist, expected ${input.total}`);
    if (view.total !== undefined && view.total !== input.total)
      reasons.push(`status.revisions.total is ${view.total}, expected ${input.total}`);
  }
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}

const InUseShape = z.object({
  status: z
    .object({
      conditions: z
        .array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** The old revision and its istiod are gone; while not, say whether Sail still sees it in use (and why). */
export function revisionGone(input: { name: string; revision: unknown; istiod: unknown }): Readiness {
  if (input.revision === undefined && input.istiod === undefined)
    return { done: true, detail: `IstioRevision ${input.name} and its istiod are gone` };
  const inUse = InUseShape.safeParse(input.revision).data?.status?.conditions?.find(
    (c) => c.type === 'InUse',
  );
  const parts = [
    input.revision === undefined
      ? 'IstioRevision gone'
      : `IstioRevision ${input.name} still exists (InUse=${inUse?.status ?? '?'}${inUse?.reason ? ` ${inUse.reason}` : ''}${inUse?.message ? `: ${inUse.message}` : ''})`,
    input.istiod === undefined ? 'istiod gone' : 'its istiod Deployment still exists',
  ];
  return { done: false, detail: `${parts.join('; ')} — not done` };
}

/** IstioRevisionTag points at `revision` and is reconciled. */
export function tagPointsTo(input: { tag: unknown; name: string; revision: string }): Readiness {
  if (input.tag === undefined) return { done: false, detail: `IstioRevisionTag ${input.name} not found` };
  const current = tagRevision(input.tag);
  const conditions = InUseShape.safeParse(input.tag).data?.status?.conditions ?? [];
  const reconciled = conditions.find((c) => c.type === 'Reconciled');
  const seen = `IstioRevisionTag ${input.name}: istioRevision=${current ?? 'unset'} Reconciled=${reconciled?.status ?? '?'}`;
  const reasons: string[] = [];
  if (current !== input.revision)
    reasons.push(`points at ${current ?? 'nothing'}, expected ${input.revision}`);
  if (reconciled?.status !== 'True') reasons.push('not Reconciled');
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}

const PodShape = z.object({
  metadata: z.object({ name: z.string(), deletionTimestamp: z.string().optional() }),
  status: z
    .object({
      phase: z.string().optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});

/** At least `min` pods, every one Ready and none terminating. */
export function podsReady(pods: readonly unknown[], min: number): Readiness {
  const parsed = pods.map((p) => PodShape.safeParse(p).data).filter((p) => p !== undefined);
  const states = parsed.map((p) => {
    const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    return {
      name: p.metadata.name,
      ready,
      terminating: p.metadata.deletionTimestamp !== undefined,
      phase: p.status?.phase ?? '?',
    };
  });
  const seen =
    states
      .map((s) => `${s.name}=${s.phase}${s.ready ? '/Ready' : ''}${s.terminating ? '/Terminating' : ''}`)
      .join(', ') || 'no pods';
  const reasons: string[] = [];
  if (states.length < min) reasons.push(`${states.length} pod(s), expected at least ${min}`);
  const notReady = states.filter((s) => !s.ready || s.terminating);
  if (notReady.length > 0) reasons.push(`${notReady.length} not Ready or terminating`);
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}

/** Every listed object is absent. */
export function allGone(present: readonly { what: string; exists: boolean }[]): Readiness {
  const left = present.filter((p) => p.exists).map((p) => p.what);
  return left.length === 0
    ? { done: true, detail: `all ${present.length} object(s) gone` }
    : { done: false, detail: `still present: ${left.join(', ')} — not done` };
}
