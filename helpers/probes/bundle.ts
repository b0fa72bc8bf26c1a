import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { UserError } from '../errors.ts';

/** A ConfigMap holds at most 1 MiB (data + keys); the bundle must fit with room for nothing else. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/** Where the suite mounts the bundle in a probe pod, and how it runs it. */
export const PROBE_BUNDLE_PATH = '/probe/probe.mjs';

// An ESM bundle that pulls in a CommonJS dependency calls `require` for node builtins and fails at start with
// "Dynamic require of … is not supported"; the banner gives it a real `require` (FACTS §9). Harmless otherwise.
const REQUIRE_BANNER = "import{createRequire}from'node:module';const require=createRequire(import.meta.url);";

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * Builds the probe program into one ESM file that runs with plain `node` (Node 20+) from a folder with no
 * node_modules. Refuses a bundle that would not fit in a ConfigMap.
 */
export async function buildProbeBundle(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    banner: { js: REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output for the probe bundle');
  assertFitsConfigMap(file.contents.byteLength);
  return file.text;
}

/** Throws a UserError when `bytes` would not fit in a ConfigMap. */
export function assertFitsConfigMap(bytes: number): void {
  if (bytes >= CONFIGMAP_LIMIT_BYTES) {
    throw new UserError(
      `probe bundle is ${bytes} bytes, over the ${CONFIGMAP_LIMIT_BYTES}-byte ConfigMap limit — drop a dependency from helpers/probes (node builtins are enough)`,
    );
  }
}
