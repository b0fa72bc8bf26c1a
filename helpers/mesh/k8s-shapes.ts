import { z } from 'zod';

// Lenient zod shapes for the parts of core objects the mesh judgements read. Unknown fields are dropped, missing
// ones stay undefined: a judgement then says "not reported yet" instead of crashing on a half-written status.

export const Condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  observedGeneration: z.number().optional(),
});
export type Condition = z.infer<typeof Condition>;

export const Metadata = z.object({
  name: z.string().default(''),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  deletionGracePeriodSeconds: z.number().optional(),
});

const EnvVar = z.object({ name: z.string(), value: z.string().optional() });
export const Container = z.object({
  name: z.string(),
  image: z.string().optional(),
  env: z.array(EnvVar).optional(),
});
export type Container = z.infer<typeof Container>;

const PodSpecShape = z.object({
  nodeName: z.string().optional(),
  terminationGracePeriodSeconds: z.number().optional(),
  containers: z.array(Container).default([]),
});

export const Pod = z.object({
  metadata: Metadata,
  spec: PodSpecShape.default({ containers: [] }),
  status: z
    .object({
      phase: z.string().optional(),
      conditions: z.array(Condition).optional(),
      containerStatuses: z
        .array(z.object({ name: z.string(), image: z.string().optional(), ready: z.boolean().optional() }))
        .optional(),
    })
    .default({}),
});
export type Pod = z.infer<typeof Pod>;

export const DaemonSet = z.object({
  metadata: Metadata,
  spec: z
    .object({
      updateStrategy: z.object({ type: z.string().optional() }).optional(),
      template: z.object({ spec: PodSpecShape.optional() }).optional(),
    })
    .default({}),
  status: z
    .object({
      observedGeneration: z.number().optional(),
      desiredNumberScheduled: z.number().optional(),
      currentNumberScheduled: z.number().optional(),
      updatedNumberScheduled: z.number().optional(),
      numberReady: z.number().optional(),
      numberAvailable: z.number().optional(),
      numberUnavailable: z.number().optional(),
    })
    .default({}),
});
export type DaemonSet = z.infer<typeof DaemonSet>;

export const Deployment = z.object({
  metadata: Metadata,
  spec: z
    .object({
      replicas: z.number().optional(),
      template: z.object({ spec: PodSpecShape.optional() }).optional(),
    })
    .default({}),
  status: z
    .object({
      observedGeneration: z.number().optional(),
      replicas: z.number().optional(),
      updatedReplicas: z.number().optional(),
      readyReplicas: z.number().optional(),
      availableReplicas: z.number().optional(),
      conditions: z.array(Condition).optional(),
    })
    .default({}),
});
export type Deployment = z.infer<typeof Deployment>;

/** Parses leniently; a shape mismatch becomes an Error the caller reports as "unreadable", never a crash. */
export function parseAs<T>(schema: z.ZodType<T>, value: unknown, what: string): T | Error {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  return new Error(`${what}: unexpected shape (${result.error.issues[0]?.message ?? 'invalid'})`);
}

export function conditionOf(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function describeConditions(conditions: readonly Condition[] | undefined): string {
  if (!conditions || conditions.length === 0) return 'no conditions';
  return conditions.map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ''}`).join(' ');
}

export function isPodReady(pod: Pod): boolean {
  return conditionOf(pod.status.conditions, 'Ready')?.status === 'True';
}

/** Milliseconds since epoch of an RFC 3339 time, or undefined when absent or unparsable. */
export function timeOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
