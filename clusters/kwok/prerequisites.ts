import { basename } from 'node:path';
import { UserError } from '../../helpers/errors.ts';
import { findOnPath } from '../tools.ts';
import {
  cacheDirOf,
  type KwokBinaries,
  type KwokVersions,
  kwokBinaries,
  missingBinaries,
  readKwokVersions,
} from './binaries.ts';

export interface KwokReady {
  readonly versions: KwokVersions;
  readonly binaries: KwokBinaries;
}

/**
 * Why the kwok provider cannot run here, in one line, or undefined when it can: root (network namespaces),
 * `ip` and `socat` on PATH, every binary build.sh makes and (unless `operator: false`, for a bare control plane)
 * the prebuilt Sail operator with its chart. Checked before anything is created.
 */
export async function kwokUnavailableReason(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
  needs: { operator: boolean } = { operator: true },
): Promise<{ reason: string } | KwokReady> {
  if (uid !== 0) {
    return {
      reason:
        '--provider kwok needs root: its cluster runs in a network namespace of its own (ip netns) — run as root, or use --provider kind',
    };
  }
  const [ip, socat] = await Promise.all([findOnPath('ip', env), findOnPath('socat', env)]);
  const tools = [ip ? undefined : 'ip (iproute2)', socat ? undefined : 'socat'].filter(
    (t) => t !== undefined,
  );
  if (tools.length > 0) {
    return {
      reason: `--provider kwok needs ${tools.join(' and ')} on PATH — apt-get install iproute2 socat`,
    };
  }
  const versions = readKwokVersions();
  const cacheDir = cacheDirOf(env);
  const binaries = kwokBinaries(versions, cacheDir);
  const missing = await missingBinaries(binaries);
  // The Sail operator cannot be built from the module proxy (it refuses the module): the user provides it.
  const provided = new Set([basename(binaries.sailOperator), basename(binaries.sailChart)]);
  const unbuilt = missing.filter((name) => !provided.has(name));
  if (unbuilt.length > 0) {
    return {
      reason: `--provider kwok: ${unbuilt.join(', ')} not built in ${cacheDir} — run clusters/kwok/build/build.sh (needs Go; see the README)`,
    };
  }
  if (needs.operator && missing.length > 0) {
    return {
      reason: `--provider kwok: no prebuilt Sail operator ${versions.sailOperator} in ${cacheDir}/bin (${missing.join(', ')}) — the Go module proxy does not serve it; put its binary and chart folder there (see the README)`,
    };
  }
  return { versions, binaries };
}

export async function checkKwokPrerequisites(env: NodeJS.ProcessEnv = process.env): Promise<KwokReady> {
  const result = await kwokUnavailableReason(env);
  if ('reason' in result) throw new UserError(result.reason);
  return result;
}
