import { z } from 'zod';
import type { KubeObject } from '../k8s/types.ts';

/** The parts of a CustomResourceDefinition the validator reads. */
export const CrdSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    group: z.string().min(1),
    scope: z.enum(['Namespaced', 'Cluster']),
    names: z.looseObject({ kind: z.string().min(1) }),
    versions: z.array(
      z.looseObject({
        name: z.string().min(1),
        served: z.boolean(),
        schema: z.looseObject({ openAPIV3Schema: z.record(z.string(), z.unknown()) }).optional(),
      }),
    ),
  }),
});
export type Crd = z.infer<typeof CrdSchema>;

export function parseCrd(object: KubeObject): Crd {
  const parsed = CrdSchema.safeParse(object);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `CustomResourceDefinition ${object.metadata.name} is malformed at /${issue?.path.join('/')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
