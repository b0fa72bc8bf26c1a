import { UserError } from '../../errors.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import type { BuilderOptions } from './types.ts';

export const REVIEWS_PORT = 9080;
/** The split the OSSM doc uses; needs bookinfo-versions.yaml for the reviews-v1/v2 Services. */
export const DEFAULT_REVIEWS_WEIGHTS: Readonly<Record<string, number>> = {
  'reviews-v1': 90,
  'reviews-v2': 10,
};
// Gateway API caps a backendRef weight at 1,000,000.
const MAX_WEIGHT = 1_000_000;

export interface ReviewsRouteOptions extends BuilderOptions {
  namespace?: string;
  /** Backend Service name → weight. */
  weights?: Record<string, number>;
}

/** The `reviews` HTTPRoute bound to the reviews Service (mesh/GAMMA parentRef), split by weight. */
export function reviewsRoute(options: ReviewsRouteOptions = {}): KubeObject {
  const weights = options.weights ?? DEFAULT_REVIEWS_WEIGHTS;
  const entries = Object.entries(weights);
  const bad = entries.find(([, weight]) => !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT);
  if (bad) {
    throw new UserError(
      `reviews weight ${bad[0]}=${bad[1]} is invalid — use an integer from 0 to ${MAX_WEIGHT}`,
    );
  }
  if (!entries.some(([, weight]) => weight > 0)) {
    throw new UserError(
      'reviews weights give no backend any traffic — give at least one backend a positive weight',
    );
  }
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'reviews', namespace: options.namespace ?? 'bookinfo', labels: suiteLabels(options) },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: REVIEWS_PORT }],
      rules: [{ backendRefs: entries.map(([name, weight]) => ({ name, port: REVIEWS_PORT, weight })) }],
    },
  };
}
