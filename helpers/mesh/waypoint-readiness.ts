import { z } from 'zod';
import { isVersionAlias, sameVersion, versionFromImage } from './images.ts';
import {
  Condition,
  conditionOf,
  describeConditions,
  isPodReady,
  type Pod,
  Pod as PodShape,
  parseAs,
} from './k8s-shapes.ts';
import { combine, deploymentRolledOut, type Readiness } from './readiness.ts';

/** Labels istiod puts on waypoint pods (FACTS §6). */
export const WAYPOINT_GATEWAY_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Waypoint pods carry their revision as an annotation (the label only when the Gateway has it, istio#48742). */
export const REVISION_ANNOTATION = 'istio.io/rev';

const GatewayShape = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    generation: z.number().optional(),
  }),
  status: z.object({ conditions: z.array(Condition).optional() }).default({}),
});

/** Gateway `Programmed=True` for the current generation (Gateway API conditions carry `observedGeneration`). */
export function gatewayProgrammed(gateway: unknown): Readiness {
  const gw = parseAs(GatewayShape, gateway, 'Gateway');
  if (gw instanceof Error) return { done: false, detail: gw.message };
  const seen = `Gateway ${gw.metadata.namespace ?? ''}/${gw.metadata.name}: ${describeConditions(gw.status.conditions)}`;
  const programmed = conditionOf(gw.status.conditions, 'Programmed');
  const reasons: string[] = [];
  if (programmed?.status !== 'True') reasons.push(`Programmed is ${programmed?.status ?? 'not reported'}`);
  else if (
    programmed.observedGeneration !== undefined &&
    programmed.observedGeneration !== gw.metadata.generation
  ) {
    reasons.push(
      `Programmed describes generation ${programmed.observedGeneration}, not ${gw.metadata.generation}`,
    );
  }
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}

export interface WaypointPodView {
  name: string;
  node: string | undefined;
  ready: boolean;
  terminating: boolean;
  image: string | undefined;
  version: string | undefined;
  revision: string | undefined;
}

/** What matters of one waypoint pod: readiness, proxy image/version (container `istio-proxy`), revision. */
export function waypointPodView(pod: unknown): WaypointPodView | Error {
  const parsed = parseAs(PodShape, pod, 'waypoint Pod');
  if (parsed instanceof Error) return parsed;
  return viewOf(parsed);
}

function viewOf(pod: Pod): WaypointPodView {
  const image = pod.spec.containers.find((c) => c.name === 'istio-proxy')?.image;
  return {
    name: pod.metadata.name,
    node: pod.spec.nodeName,
    ready: isPodReady(pod),
    terminating: pod.metadata.deletionTimestamp !== undefined,
    image,
    version: versionFromImage(image),
    revision: pod.metadata.annotations?.[REVISION_ANNOTATION] ?? pod.metadata.labels?.['istio.io/rev'],
  };
}

/**
 * A waypoint is ready on the expected version: Gateway Programmed, its same-named Deployment rolled out, and every
 * live pod Ready, on the version (image tag) and revision asked for. Terminating pods must be gone too: until they
 * are, some traffic may still be served by the old proxy.
 */
export function waypointReady(input: {
  gateway: unknown;
  deployment: unknown;
  pods: readonly unknown[];
  version?: string;
  revision?: string;
}): Readiness {
  const podParts: Readiness[] = [];
  const views: WaypointPodView[] = [];
  for (const raw of input.pods) {
    const view = waypointPodView(raw);
    if (view instanceof Error) podParts.push({ done: false, detail: view.message });
    else views.push(view);
  }
  if (views.length === 0) podParts.push({ done: false, detail: 'no waypoint pods — not done: none found' });
  for (const view of views) podParts.push(judgePod(view, input));
  return combine([
    gatewayProgrammed(input.gateway),
    deploymentRolledOut(input.deployment, {
      ...(input.version ? { version: input.version } : {}),
      container: 'istio-proxy',
    }),
    ...podParts,
  ]);
}

function judgePod(view: WaypointPodView, input: { version?: string; revision?: string }): Readiness {
  const seen = `pod ${view.name}: ready=${view.ready} image=${view.image ?? '-'} rev=${view.revision ?? '-'}${view.terminating ? ' terminating' : ''}`;
  const reasons: string[] = [];
  if (view.terminating) reasons.push('still terminating');
  else if (!view.ready) reasons.push('not Ready');
  if (input.version !== undefined && !isVersionAlias(input.version) && view.version !== undefined) {
    if (!sameVersion(view.version, input.version))
      reasons.push(`runs ${view.version}, expected ${input.version}`);
  }
  if (input.revision !== undefined && (view.revision ?? 'default') !== input.revision) {
    reasons.push(`revision ${view.revision ?? 'default'}, expected ${input.revision}`);
  }
  return reasons.length === 0
    ? { done: true, detail: seen }
    : { done: false, detail: `${seen} — not done: ${reasons.join('; ')}` };
}
