import { z } from 'zod';

export type UpdateStrategy = 'InPlace' | 'RevisionBased';

/**
 * The IstioRevision Sail creates for an Istio (controllers/istio/istio_controller.go `getActiveRevisionName`):
 * InPlace → the Istio's name; RevisionBased → `<name>-<spec.version with "." → "-">`, aliases used literally
 * (`default` + `v1.30.3` → `default-v1-30-3`; `v1.30-latest` → `default-v1-30-latest`).
 */
export function expectedRevisionName(istioName: string, version: string, strategy: UpdateStrategy): string {
  return strategy === 'RevisionBased' ? `${istioName}-${version.replaceAll('.', '-')}` : istioName;
}

/** istiod's Deployment/Service name for a revision: `istiod` for `default`, else `istiod-<rev>` (FACTS §2). */
export function istiodName(revision: string): string {
  return revision === 'default' ? 'istiod' : `istiod-${revision}`;
}

/**
 * The revision an istiod pod belongs to, from its name alone: a Deployment's pods are `<deployment>-<rs hash>-<pod
 * hash>`, so `istiod-7b9f8c5d6-xyz78` → `default` and `istiod-default-v1-30-3-7b9f8c5d6-xyz78` →
 * `default-v1-30-3`. Returns undefined for names that are not istiod pods. Prefer the pod's `istio.io/rev` label
 * when the pod object is at hand; this is for sources that only name the pod (istioctl's ISTIOD column).
 */
export function revisionFromIstiodPodName(pod: string): string | undefined {
  const name = pod.split('.')[0] ?? pod;
  const parts = name.split('-');
  if (parts.length < 3 || parts[0] !== 'istiod') return undefined;
  const deployment = parts.slice(0, -2);
  return deployment.length === 1 ? 'default' : deployment.slice(1).join('-');
}

const IstioStatusShape = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z
    .object({
      version: z.string().optional(),
      updateStrategy: z.object({ type: z.enum(['InPlace', 'RevisionBased']).optional() }).optional(),
    })
    .default({}),
  status: z
    .object({
      activeRevisionName: z.string().optional(),
      revisions: z
        .object({ total: z.number().optional(), ready: z.number().optional(), inUse: z.number().optional() })
        .optional(),
    })
    .default({}),
});

export interface IstioRevisionsView {
  name: string;
  strategy: UpdateStrategy;
  specVersion: string | undefined;
  /** `status.activeRevisionName`, undefined until Sail reports it. */
  active: string | undefined;
  /** What `active` must become for `spec.version` (undefined without a version). */
  expectedActive: string | undefined;
  total: number | undefined;
  ready: number | undefined;
  inUse: number | undefined;
}

/** Revision facts of an Istio CR (JSON as read from the API). */
export function istioRevisions(istio: unknown): IstioRevisionsView {
  const parsed = IstioStatusShape.parse(istio);
  const strategy = parsed.spec.updateStrategy?.type ?? 'InPlace';
  const version = parsed.spec.version;
  return {
    name: parsed.metadata.name,
    strategy,
    specVersion: version,
    active: parsed.status.activeRevisionName,
    expectedActive:
      version === undefined ? undefined : expectedRevisionName(parsed.metadata.name, version, strategy),
    total: parsed.status.revisions?.total,
    ready: parsed.status.revisions?.ready,
    inUse: parsed.status.revisions?.inUse,
  };
}

const TagShape = z.object({ status: z.object({ istioRevision: z.string().optional() }).default({}) });

/** The IstioRevision an IstioRevisionTag currently points at (`status.istioRevision`). */
export function tagRevision(tag: unknown): string | undefined {
  return TagShape.parse(tag).status.istioRevision;
}
