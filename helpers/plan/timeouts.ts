import { z } from 'zod';
import { UserError } from '../errors.ts';

const ms = z.int().positive();

/**
 * One named timeout per kind of wait, in milliseconds. Defaults are generous for a kind cluster on a laptop
 * (image pulls included); `timeoutScale` stretches them all for slow clusters.
 */
export const Timeouts = z.strictObject({
  /** Sail CR reconciled and Ready after an apply or a version patch. */
  sailReady: ms.default(5 * 60_000),
  /** istiod Deployment rolled out (a new revision pulls a new image). */
  istiodRollout: ms.default(5 * 60_000),
  /** IstioCNI / ZTunnel DaemonSet rolled out: one node at a time, each old ztunnel draining for its grace. */
  daemonSetRollout: ms.default(10 * 60_000),
  /** Istio revisions (new one Ready and active, or down to one). */
  revisions: ms.default(5 * 60_000),
  /** Added to `inactiveRevisionDeletionGracePeriodSeconds` for the old revision to be pruned. */
  revisionPruneMargin: ms.default(3 * 60_000),
  /** IstioRevisionTag follows the active revision. */
  tagFollows: ms.default(2 * 60_000),
  /** Application and probe pods Ready (bookinfo image pulls). */
  podsReady: ms.default(5 * 60_000),
  /** Gateway `Programmed`. */
  waypointProgrammed: ms.default(3 * 60_000),
  /** Waypoint Deployment re-rendered and rolled out on the new proxy version. */
  waypointRollout: ms.default(5 * 60_000),
  /** One node's drain, ztunnel replacement and uncordon. */
  drainNode: ms.default(15 * 60_000),
  /**
   * Converging before sampling: HTTPRoute Accepted on its generation, the weights warm-up, a run of good answers,
   * the first RBAC deny, every ztunnel SYNCED in syncz, a returned node's workloads Up in its ztunnel.
   */
  converge: ms.default(2 * 60_000),
  /** Deleted objects gone. */
  gone: ms.default(3 * 60_000),
});
export type Timeouts = z.infer<typeof Timeouts>;

export const defaultTimeouts: Timeouts = Timeouts.parse({});

/** Parses overrides strictly (an unknown name is an error, not ignored) and applies `scale` to every value. */
export function resolveTimeouts(overrides: unknown = {}, scale = 1): Timeouts {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new UserError(`timeout scale ${scale} is not a positive number — pass e.g. --timeout-scale 2`);
  }
  const parsed = Timeouts.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `bad timeout override at ${issue?.path.join('.') || '(root)'}: ${issue?.message} — use names from ${Object.keys(defaultTimeouts).join(', ')} with positive integer milliseconds`,
    );
  }
  const scaled = { ...parsed.data };
  for (const key of Object.keys(scaled) as (keyof Timeouts)[]) scaled[key] = Math.ceil(scaled[key] * scale);
  return scaled;
}
