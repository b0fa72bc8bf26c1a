import { UserError } from '../errors.ts';
import { formatSail, parseVersion, type Version } from './version.ts';

/** A Kubernetes minor, e.g. `{ major: 1, minor: 34 }`. */
export interface KubernetesMinor {
  readonly major: number;
  readonly minor: number;
}

interface SupportWindow {
  readonly oldest: number;
  readonly newest: number;
  /** Where the window is stated. */
  readonly source: string;
}

/**
 * Kubernetes minors each Istio minor supports (1.x). A cluster outside the window of either end of an upgrade
 * certifies nothing anyone runs. One table for every provider that picks a Kubernetes version (kind node image,
 * kwok control plane).
 */
export const ISTIO_KUBERNETES_SUPPORT: Readonly<Record<string, SupportWindow>> = {
  '1.28': {
    oldest: 29,
    newest: 34,
    // First-hand: istio/istio.io content/en/news/releases/1.28.x/announcing-1.28/_index.md at 9a2608b5 (the
    // text with the final edits, publishdate 2025-11-05); another stored version (14b604a2, publishdate
    // 2025-11-04, without those edits) says 1.29 to 1.35. The data of istio.io's supported-releases table
    // (data/compatibility/supportStatus.yml) could be read only in a version ending at 1.22.
    source:
      'istio.io news/releases/1.28.x/announcing-1.28: "Istio 1.28.0 is officially supported on Kubernetes versions 1.29 to 1.34"',
  },
  '1.29': {
    oldest: 31,
    newest: 35,
    source: 'istio.io docs/releases/supported-releases (support status table)',
  },
  '1.30': {
    oldest: 32,
    newest: 36,
    source: 'istio.io docs/releases/supported-releases (support status table)',
  },
};

export function parseKubernetesMinor(text: string): KubernetesMinor | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

function windowOf(version: Version): SupportWindow | undefined {
  return version.major === 1 ? ISTIO_KUBERNETES_SUPPORT[`1.${version.minor}`] : undefined;
}

const describeWindow = (w: SupportWindow) => `1.${w.oldest}–1.${w.newest}`;

/** The Kubernetes minors both ends of an upgrade support, oldest first; empty when the windows do not meet. */
export function sharedKubernetesMinors(from: Version, to: Version): number[] {
  const a = windowOf(from);
  const b = windowOf(to);
  if (!a || !b) return [];
  const minors: number[] = [];
  for (let m = Math.max(a.oldest, b.oldest); m <= Math.min(a.newest, b.newest); m++) minors.push(m);
  return minors;
}

/**
 * Picks the Kubernetes version a provider should build for `from → to`: the newest of `available` (versions that
 * provider can run, e.g. the node images pinned for kind) whose minor both Istio versions support. Refuses in one
 * line when the table does not know a version, or when nothing available falls in both windows.
 */
export function pickKubernetesVersion(from: Version, to: Version, available: readonly string[]): string {
  for (const version of [from, to]) {
    if (!windowOf(version)) {
      const known = Object.keys(ISTIO_KUBERNETES_SUPPORT).join(', ');
      throw new UserError(
        `no supported Kubernetes versions are recorded for Istio ${formatSail(version)} (known: ${known}) — add its window from istio.io supported-releases to helpers/versions/kubernetes.ts, or pass a Kubernetes version yourself`,
      );
    }
  }
  const shared = new Set(sharedKubernetesMinors(from, to));
  const fits = available
    .map((text) => ({ text, parsed: parseKubernetesMinor(text) }))
    .filter((v) => v.parsed?.major === 1 && shared.has(v.parsed.minor))
    .sort((x, y) => (y.parsed?.minor ?? 0) - (x.parsed?.minor ?? 0));
  const best = fits[0];
  if (best) return best.text;
  const a = windowOf(from) as SupportWindow;
  const b = windowOf(to) as SupportWindow;
  throw new UserError(
    `no Kubernetes version available here is supported by both Istio ${formatSail(from)} (Kubernetes ${describeWindow(a)}) and ${formatSail(to)} (${describeWindow(b)}); available: ${available.join(', ') || 'none'} — pick versions whose windows overlap, or add a matching version`,
  );
}

/** Whether a Kubernetes version lies inside the window of both ends of the upgrade (for clusters that exist). */
export function supportsKubernetes(from: Version, to: Version, kubernetes: string): boolean {
  const parsed = parseKubernetesMinor(kubernetes);
  return parsed?.major === 1 && sharedKubernetesMinors(from, to).includes(parsed.minor);
}

/**
 * The ends of the upgrade as far as they are known before a cluster exists: the given versions, else the default
 * path the launch will take (the operator's own version, upgraded to from the minor before). Only minors matter
 * here, so a patch the operator's CRD later settles on cannot change the Kubernetes window.
 */
export function expectedUpgrade(input: { from?: string; to?: string; operatorVersion: string }): {
  from: Version;
  to: Version;
} {
  const to = parseVersion(input.to ?? input.operatorVersion);
  const from: Version = input.from
    ? parseVersion(input.from)
    : { kind: 'latest', major: to.major, minor: Math.max(0, to.minor - 1) };
  return { from, to };
}
