import { loadSamples } from '../../../helpers/mesh/samples.ts';
import type { RenderInput } from '../../../helpers/plan/render.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

export const UPSTREAM = UPSTREAM_DIR;

/** Render input from the upstream samples; the bundle is a stand-in (its content is not the plan's concern). */
export async function renderInput(overrides: Partial<RenderInput> = {}): Promise<RenderInput> {
  const samples = await loadSamples('v1.29.6', { manifestsDir: `${UPSTREAM}/istio/samples` });
  return {
    from: parseVersion('1.29.6'),
    to: parseVersion('1.30.3'),
    workers: 2,
    samples: { bookinfo: samples.bookinfo, bookinfoVersions: samples.bookinfoVersions },
    probeBundle: 'console.log("probe")',
    ...overrides,
  };
}
