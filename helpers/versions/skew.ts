import { compareVersions, formatSail, minorDistance, type Version } from './version.ts';

/**
 * The skew policy, from the Istio support policy and Sail's update-strategy doc (FACTS §1):
 * - the control plane goes first: no data-plane component (IstioCNI, ZTunnel, waypoints) is ever ahead of it;
 * - a data-plane component is at most one minor behind the control plane;
 * - one Istio.spec.version change moves InPlace at most one minor, RevisionBased at most two;
 * - no downgrades.
 * A RevisionBased n-2 jump is allowed for the control plane alone, but in ambient the node-level CNI and ztunnel
 * (always updated in place) would then be two minors behind until bumped, so every intermediate state of an
 * upgrade is checked and such a jump is refused: upgrade in two steps, or pass --allow-skew to reproduce a bug.
 */
export type Verdict = { ok: true } | { ok: false; reason: string };

export type UpdateStrategy = 'InPlace' | 'RevisionBased';

/** The versions of the mesh components at one moment, as planned or as observed on the cluster. */
export interface MeshVersions {
  controlPlane: Version;
  cni: Version;
  ztunnel: Version;
  waypoints?: { name: string; version: Version }[];
}

const OK: Verdict = { ok: true };

/** Checks one state of the mesh against the policy; the reason names the component and the fix. */
export function checkMeshSkew(mesh: MeshVersions): Verdict {
  const dataPlane: { name: string; version: Version }[] = [
    { name: 'IstioCNI', version: mesh.cni },
    { name: 'ZTunnel', version: mesh.ztunnel },
    ...(mesh.waypoints ?? []).map((w) => ({ name: `waypoint ${w.name}`, version: w.version })),
  ];
  const cp = mesh.controlPlane;
  for (const { name, version } of dataPlane) {
    if (compareVersions(version, cp) > 0) {
      return {
        ok: false,
        reason: `${name} ${formatSail(version)} is ahead of the control plane ${formatSail(cp)} — upgrade Istio first (order: Istio → IstioCNI → ZTunnel)`,
      };
    }
    const behind = minorDistance(version, cp);
    if (behind > 1) {
      return {
        ok: false,
        reason: `${name} ${formatSail(version)} is ${describeGap(behind)} behind the control plane ${formatSail(cp)} (at most one allowed) — upgrade ${name} to ${cp.major}.${cp.minor - 1} or ${cp.major}.${cp.minor} first`,
      };
    }
  }
  return OK;
}

/** Checks the direction of an upgrade and how far one Istio.spec.version change may go under a strategy. */
export function checkVersionChange(from: Version, to: Version, strategy: UpdateStrategy): Verdict {
  const cmp = compareVersions(from, to);
  if (cmp === 0) {
    return {
      ok: false,
      reason: `from and to are both ${formatSail(from)}: nothing to upgrade — pick a newer --to`,
    };
  }
  if (cmp > 0) {
    return {
      ok: false,
      reason: `target ${formatSail(to)} is older than ${formatSail(from)}: downgrades are not certified — swap --from and --to, or pass --allow-skew to reproduce a bug`,
    };
  }
  const gap = minorDistance(from, to);
  const limit = strategy === 'InPlace' ? 1 : 2;
  if (gap > limit) {
    return {
      ok: false,
      reason: `${strategy} moves at most ${limit === 1 ? 'one minor' : 'two minors'} per step, ${formatSail(from)} → ${formatSail(to)} is ${describeGap(gap)} — upgrade in steps of one minor, or pass --allow-skew to reproduce a bug`,
    };
  }
  return OK;
}

/**
 * The states the mesh passes through in the documented order (Istio → IstioCNI → ZTunnel), each named by the
 * step that produced it. Plans check their own steps; this is the same walk for a bare from → to.
 */
export function documentedUpgradeStates(from: Version, to: Version): { after: string; mesh: MeshVersions }[] {
  return [
    { after: 'install', mesh: { controlPlane: from, cni: from, ztunnel: from } },
    { after: `upgrade Istio to ${formatSail(to)}`, mesh: { controlPlane: to, cni: from, ztunnel: from } },
    { after: `upgrade IstioCNI to ${formatSail(to)}`, mesh: { controlPlane: to, cni: to, ztunnel: from } },
    { after: `upgrade ZTunnel to ${formatSail(to)}`, mesh: { controlPlane: to, cni: to, ztunnel: to } },
  ];
}

/** The whole policy for one upgrade: direction, the strategy's step size, then every intermediate state. */
export function checkUpgrade(input: { from: Version; to: Version; strategy: UpdateStrategy }): Verdict {
  const change = checkVersionChange(input.from, input.to, input.strategy);
  if (!change.ok) return change;
  for (const { after, mesh } of documentedUpgradeStates(input.from, input.to)) {
    const verdict = checkMeshSkew(mesh);
    if (!verdict.ok) return { ok: false, reason: inState(after, verdict.reason) };
  }
  return OK;
}

/**
 * Prefixes a state's reason with the step that produced it, and points a two-minor data-plane gap at the real
 * fix: the control plane jumped too far for ambient, so upgrade in two steps.
 */
export function inState(after: string, reason: string): string {
  const twoStep = / is 2 minors behind /.test(reason)
    ? reason.replace(
        / — .*$/,
        ' — upgrade in two steps of one minor each, or pass --allow-skew to reproduce a bug',
      )
    : reason;
  return `after "${after}": ${twoStep}`;
}

function describeGap(minors: number): string {
  if (!Number.isFinite(minors)) return 'a different major';
  return minors === 1 ? '1 minor' : `${minors} minors`;
}
