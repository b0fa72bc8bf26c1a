import type { KubeObject } from '../k8s/types.ts';
import { asRecord, podSpecOf } from './nodes.ts';

/**
 * The container images the given objects run (containers and init containers of their pod templates, or of a
 * Pod), unique and sorted: what a kind run pulls once and loads into every node instead of letting each node
 * pull on its own. Istio's own images are not listed: the operator picks them per version.
 */
export function imagesOf(objects: readonly KubeObject[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    const spec = object.kind === 'Pod' ? asRecord(object.spec) : podSpecOf(object);
    if (!spec) continue;
    for (const field of ['initContainers', 'containers'] as const) {
      const containers = spec[field];
      if (!Array.isArray(containers)) continue;
      for (const container of containers) {
        const image = asRecord(container).image;
        if (typeof image === 'string' && image !== '') images.add(image);
      }
    }
  }
  return [...images].sort();
}
