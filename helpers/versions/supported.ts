import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { compareVersions, formatSail, isPrerelease, tryParseVersion, type Version } from './version.ts';

/**
 * What an `istios.sailoperator.io` CRD says about versions.
 *
 * The `spec.version` enum keeps end-of-life releases (Sail marks them `eol` in `versions.yaml` but leaves them in
 * the enum so old CRs still validate); its description lists only the installable ones ("Must be one of: …").
 * So `installable` is the enum filtered by that list (the whole enum when the description has none), `eol` the
 * rest. Entries that are not versions (`master`) go to `other`: valid for `spec.version`, never a default.
 */
export interface SupportedVersions {
  /** Exact, installable releases, oldest first; prereleases included (e.g. v1.31.0-beta.1). */
  installable: Version[];
  /** Exact releases still in the enum but not installable. */
  eol: Version[];
  /** `vX.Y-latest` aliases that are installable. */
  aliases: Version[];
  /** Installable enum entries that are not versions, e.g. `master`. */
  other: string[];
  /** The CRD's `spec.version` default, when it is a version. */
  defaultVersion?: Version;
  /** Every enum entry, as the CRD lists it. */
  enumValues: string[];
}

const VersionProperty = z.object({
  enum: z.array(z.string()).min(1),
  default: z.string().optional(),
  description: z.string().optional(),
});

const IstioCrd = z.object({
  spec: z.object({
    names: z.object({ kind: z.literal('Istio') }),
    versions: z
      .array(
        z.object({
          name: z.string(),
          storage: z.boolean().optional(),
          schema: z.object({
            openAPIV3Schema: z.object({
              properties: z.object({
                spec: z.object({ properties: z.object({ version: VersionProperty }) }),
              }),
            }),
          }),
        }),
      )
      .min(1),
  }),
});

const INSTALLABLE_LIST = /Must be one of: ([^\n]+?)\.?\s*$/m;

/** Reads the supported versions from a parsed `istios.sailoperator.io` CRD (the storage version's schema). */
export function supportedVersionsFromCrd(crd: unknown): SupportedVersions {
  const parsed = IstioCrd.safeParse(crd);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `not an istios.sailoperator.io CRD with a spec.version enum (at ${issue?.path.join('.') || '(root)'}: ${issue?.message}) — pass the Istio CRD from the Sail chart, e.g. crds/sailoperator.io_istios.yaml`,
    );
  }
  const versions = parsed.data.spec.versions;
  const served = versions.find((v) => v.storage === true) ?? versions[0];
  // min(1) above guarantees an entry; the check keeps the type honest.
  if (!served) throw new UserError('the Istio CRD lists no versions — pass a complete CRD file');
  const property = served.schema.openAPIV3Schema.properties.spec.properties.version;
  const listed = installableFromDescription(property.description);

  const result: SupportedVersions = {
    installable: [],
    eol: [],
    aliases: [],
    other: [],
    enumValues: property.enum,
  };
  for (const entry of property.enum) {
    const installable = listed === undefined || listed.has(entry);
    const version = tryParseVersion(entry);
    if (!version) {
      if (installable) result.other.push(entry);
    } else if (version.kind === 'latest') {
      if (installable) result.aliases.push(version);
    } else {
      (installable ? result.installable : result.eol).push(version);
    }
  }
  result.installable.sort(compareVersions);
  result.eol.sort(compareVersions);
  result.aliases.sort(compareVersions);
  const defaultVersion = property.default === undefined ? undefined : tryParseVersion(property.default);
  if (defaultVersion) result.defaultVersion = defaultVersion;
  return result;
}

function installableFromDescription(description: string | undefined): Set<string> | undefined {
  const match = description === undefined ? null : INSTALLABLE_LIST.exec(description);
  if (!match?.[1]) return undefined;
  return new Set(
    match[1]
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0),
  );
}

/** Reads a CRD file (YAML or JSON; the first document that is the Istio CRD when several are given). */
export async function loadSupportedVersions(file: string): Promise<SupportedVersions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read the Istio CRD ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) — pass an existing file with --crd`,
      {
        cause: error,
      },
    );
  }
  let documents: unknown[];
  try {
    documents = text
      .split(/^---\s*$/m)
      .map((doc) => parseYaml(doc) as unknown)
      .filter((doc) => doc != null);
  } catch (error) {
    throw new UserError(
      `${file} is not YAML or JSON — pass the Istio CRD file (sailoperator.io_istios.yaml)`,
      { cause: error },
    );
  }
  const istio = documents.find((doc) => IstioCrd.safeParse(doc).success);
  return supportedVersionsFromCrd(istio ?? documents[0]);
}

/** True when `version` may be written to `spec.version`: an installable release or alias. */
export function isInstallable(supported: SupportedVersions, version: Version): boolean {
  const pool = version.kind === 'latest' ? supported.aliases : supported.installable;
  return pool.some((candidate) => compareVersions(candidate, version) === 0);
}

/** Throws a one-line UserError when `version` is not installable with this operator's CRD. */
export function assertInstallable(supported: SupportedVersions, version: Version, flag: string): void {
  if (isInstallable(supported, version)) return;
  const eol = supported.eol.some((candidate) => compareVersions(candidate, version) === 0);
  const oldest = supported.installable[0];
  const newest = supported.installable.at(-1);
  const range = oldest && newest ? `${formatSail(oldest)}…${formatSail(newest)}` : 'none';
  throw new UserError(
    `${flag} ${formatSail(version)} is ${eol ? 'end-of-life' : 'not offered'} in this Sail operator's Istio CRD (installable: ${range}) — pick one from \`ambient-upgrade versions\``,
  );
}

/** Resolves a `-latest` alias to the newest installable patch of its minor; exact versions pass through. */
export function resolveAlias(supported: SupportedVersions, version: Version): Version {
  if (version.kind === 'exact') return version;
  // Sail resolves an alias to the newest release of the minor, a prerelease when that is all there is.
  const newest = newestPatch(supported.installable, version.major, version.minor);
  if (!newest) {
    throw new UserError(
      `${formatSail(version)} names no installable release — pick an exact version from \`ambient-upgrade versions\``,
    );
  }
  return newest;
}

export type UpgradeKind = 'minor' | 'patch';
export interface UpgradePath {
  kind: UpgradeKind;
  from: Version;
  to: Version;
}

/**
 * The upgrade the suite certifies by default, among stable installable releases (prereleases are never a
 * default): `minor` is the newest patch of the previous minor → the newest release; `patch` is the
 * newest-but-one patch of the newest minor → the newest. With Sail 1.30.3: 1.29.6 → 1.30.3 and 1.30.2 → 1.30.3.
 */
export function defaultUpgradePath(
  supported: SupportedVersions,
  { kind }: { kind: UpgradeKind },
): UpgradePath {
  const releases = stable(supported.installable);
  const to = releases.at(-1);
  if (to?.kind !== 'exact') {
    throw new UserError(
      'the Istio CRD offers no stable installable release — pass --from and --to explicitly',
    );
  }
  const from =
    kind === 'minor'
      ? newestPatch(releases, to.major, to.minor - 1)
      : releases.filter((v) => v.major === to.major && v.minor === to.minor).at(-2);
  if (!from) {
    throw new UserError(
      `the Istio CRD offers no ${kind === 'minor' ? `${to.major}.${to.minor - 1}.x release` : `earlier ${to.major}.${to.minor}.x patch`} to upgrade from — pass --from explicitly`,
    );
  }
  return { kind, from, to };
}

function stable(versions: Version[]): Version[] {
  return versions.filter((v) => v.kind === 'exact' && !isPrerelease(v));
}

function newestPatch(versions: Version[], major: number, minor: number): Version | undefined {
  return versions.filter((v) => v.kind === 'exact' && v.major === major && v.minor === minor).at(-1);
}
