import { UserError } from '../errors.ts';

/**
 * An Istio version as Sail names it: an exact release (`v1.30.3`, `v1.31.0-beta.1`) or a minor's alias
 * (`v1.30-latest`, the newest patch of that minor). Plain and `v`-prefixed input parse to the same value.
 */
export type Version =
  | {
      readonly kind: 'exact';
      readonly major: number;
      readonly minor: number;
      readonly patch: number;
      readonly prerelease?: string;
    }
  | { readonly kind: 'latest'; readonly major: number; readonly minor: number };

const VERSION_PATTERN =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?|-latest)$/;

/** Parses a version or returns undefined; for input the user typed, use `parseVersion`. */
export function tryParseVersion(text: string): Version | undefined {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match;
  if (patch === undefined) return { kind: 'latest', major: Number(major), minor: Number(minor) };
  const exact = { kind: 'exact' as const, major: Number(major), minor: Number(minor), patch: Number(patch) };
  return prerelease === undefined ? exact : { ...exact, prerelease };
}

export function parseVersion(text: string): Version {
  const version = tryParseVersion(text);
  if (!version) {
    throw new UserError(
      `"${text}" is not an Istio version — use 1.30.3, v1.30.3, v1.31.0-beta.1 or v1.30-latest`,
    );
  }
  return version;
}

/** A version as Sail's `spec.version` spells it. */
export type SailVersionString = `v${string}`;

/** Sail's form, as `spec.version` takes it: `v1.30.3`, `v1.30-latest`. */
export function formatSail(version: Version): SailVersionString {
  return `v${formatPlain(version)}`;
}

/** The form proxies report (`istio_version`, istioctl VERSION): `1.30.3`. */
export function formatPlain(version: Version): string {
  if (version.kind === 'latest') return `${version.major}.${version.minor}-latest`;
  const base = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease === undefined ? base : `${base}-${version.prerelease}`;
}

/** Sail's revision name under RevisionBased: `<istio>-<version with . → ->`, e.g. `default-v1-30-3`. */
export function revisionName(istioName: string, version: Version): string {
  return `${istioName}-${formatSail(version).replaceAll('.', '-')}`;
}

export function isPrerelease(version: Version): boolean {
  return version.kind === 'exact' && version.prerelease !== undefined;
}

/**
 * Orders versions: by major, minor, then patch, a prerelease before its release (semver rules for the
 * identifiers). A `-latest` alias sorts after every exact patch of its minor, since it resolves to the newest.
 */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.kind === 'latest' || b.kind === 'latest') {
    if (a.kind === b.kind) return 0;
    return a.kind === 'latest' ? 1 : -1;
  }
  if (a.patch !== b.patch) return a.patch - b.patch;
  return comparePrerelease(a.prerelease, b.prerelease);
}

export function versionsEqual(a: Version, b: Version): boolean {
  return compareVersions(a, b) === 0;
}

/** How many minors `to` is ahead of `from` (negative when behind); across majors the gap is unbounded. */
export function minorDistance(from: Version, to: Version): number {
  if (from.major !== to.major)
    return to.major > from.major ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return to.minor - from.minor;
}

function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    if (xNumeric && yNumeric) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (xNumeric !== yNumeric) {
      return xNumeric ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}
