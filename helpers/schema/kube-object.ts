import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import type { KubeObject } from '../k8s/types.ts';

/** The shape every applied object must have; anything else in it is passed through unchecked. */
export const KubeObjectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});

/**
 * Parses multi-document YAML into KubeObjects. Empty documents (a lone `---`, comments only) are dropped;
 * a document that is not a Kubernetes object fails with the source and document index.
 */
export function parseKubeObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new UserError(
        `${source}: document ${index + 1} is not valid YAML (${doc.errors[0]?.message.split('\n')[0]}) — fix or replace the file`,
      );
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const parsed = KubeObjectSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `/${issue.path.join('/')}: ${issue.message}` : 'not an object';
      throw new UserError(
        `${source}: document ${index + 1} is not a Kubernetes object (${where}) — fix or replace the file`,
      );
    }
    objects.push(parsed.data);
  });
  return objects;
}
