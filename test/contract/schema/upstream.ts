import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import {
  createSchemaValidator,
  loadUpstreamCrds,
  type SchemaValidator,
} from '../../../helpers/schema/index.ts';

/** The upstream copies, `../shared/upstream` relative to the repo root. */
export const UPSTREAM_DIR = fileURLToPath(new URL('../../../../shared/upstream/', import.meta.url));

let crds: Promise<KubeObject[]> | undefined;

export function upstreamCrds(): Promise<KubeObject[]> {
  crds ??= loadUpstreamCrds(UPSTREAM_DIR);
  return crds;
}

export async function upstreamValidator(): Promise<SchemaValidator> {
  return createSchemaValidator(await upstreamCrds());
}
