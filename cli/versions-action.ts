// `versions` and `plan` implementation: loaded only when the command runs (yaml, zod, the CRD fetch cache).
import { UserError } from '../helpers/errors.ts';
import {
  defaultUpgradePath,
  formatSail,
  loadSupportedVersions,
  type SupportedVersions,
  supportedVersionsFromCrd,
  type UpgradePath,
} from '../helpers/versions/index.ts';
import { DEFAULT_OPERATOR_VERSION } from './constants.ts';

export interface VersionsFlags {
  crd?: string;
  operatorVersion?: string;
  cacheDir?: string;
}

/**
 * The Istio CRD to read versions from: `--crd <file>` offline, else the operator release's chart CRD through the
 * fetch cache (network on first use). Returns where it came from, for the summary.
 */
export async function resolveSupportedVersions(
  flags: VersionsFlags,
): Promise<{ supported: SupportedVersions; source: string }> {
  if (flags.crd !== undefined)
    return { supported: await loadSupportedVersions(flags.crd), source: flags.crd };
  const operatorVersion = flags.operatorVersion ?? DEFAULT_OPERATOR_VERSION;
  const { loadCrds } = await import('../helpers/mesh/crds.ts');
  const { GATEWAY_API_VERSION } = await import('../helpers/mesh/install.ts');
  const crds = await loadCrds({
    operatorVersion,
    gatewayApiVersion: GATEWAY_API_VERSION,
    ...(flags.cacheDir === undefined ? {} : { cacheDir: flags.cacheDir }),
  }).catch((error: unknown) => {
    if (!(error instanceof UserError) || !error.message.startsWith('cannot fetch')) throw error;
    throw new UserError(
      `cannot fetch the Sail operator ${operatorVersion} CRDs (offline, no cached copy) — pass --crd <sailoperator.io_istios.yaml>`,
      { cause: error },
    );
  });
  const istio = crds.find((crd) => crd.metadata.name === 'istios.sailoperator.io');
  return { supported: supportedVersionsFromCrd(istio), source: `Sail operator ${operatorVersion} chart CRD` };
}

export function formatVersionsReport(supported: SupportedVersions, source: string): string {
  const lines = [`Istio versions offered by ${source}:`];
  const byMinor = new Map<string, string[]>();
  for (const version of supported.installable) {
    const minor = `${version.major}.${version.minor}`;
    byMinor.set(minor, [...(byMinor.get(minor) ?? []), formatSail(version)]);
  }
  for (const [minor, versions] of [...byMinor].reverse())
    lines.push(`  ${minor}: ${[...versions].reverse().join(' ')}`);
  if (supported.aliases.length > 0) lines.push(`  aliases: ${supported.aliases.map(formatSail).join(' ')}`);
  if (supported.other.length > 0)
    lines.push(`  other (not a version, never a default): ${supported.other.join(' ')}`);
  if (supported.eol.length > 0)
    lines.push(`  end-of-life (in the enum, not installable): ${supported.eol.length} releases`);
  if (supported.defaultVersion) lines.push(`  CRD default: ${formatSail(supported.defaultVersion)}`);
  lines.push('Default upgrade paths (stable releases only):');
  for (const kind of ['minor', 'patch'] as const) {
    let path: UpgradePath | undefined;
    let why = '';
    try {
      path = defaultUpgradePath(supported, { kind });
    } catch (error) {
      why = (error as Error).message;
    }
    lines.push(
      path
        ? `  ${kind}: --from ${formatSail(path.from)} --to ${formatSail(path.to)}`
        : `  ${kind}: none (${why})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
