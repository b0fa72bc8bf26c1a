import { fileURLToPath } from 'node:url';
import { loadSamples } from '../../../helpers/mesh/samples.ts';
import type { RenderInput } from '../../../helpers/plan/render.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';

export const UPSTREAM = fileURLToPath(new URL('../../../../shared/upstream', import.meta.url));

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
