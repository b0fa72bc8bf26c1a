import type { KubeObject } from '../../../helpers/k8s/types.ts';
import {
  createSchemaValidator,
  loadUpstreamCrds,
  type SchemaValidator,
} from '../../../helpers/schema/index.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

export { UPSTREAM_DIR };

let crds: Promise<KubeObject[]> | undefined;

export function upstreamCrds(): Promise<KubeObject[]> {
  crds ??= loadUpstreamCrds(UPSTREAM_DIR);
  return crds;
}

export async function upstreamValidator(): Promise<SchemaValidator> {
  return createSchemaValidator(await upstreamCrds());
}
