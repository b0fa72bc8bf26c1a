import { describe, expect, it } from 'vitest';
import { PROBE_IMAGE, probeClient } from '../../../helpers/mesh/manifests/index.ts';
import { loadSamples } from '../../../helpers/mesh/samples.ts';
import { imagesOf } from '../../../helpers/plan/images.ts';
import { upstreamPath } from '../../support/upstream.ts';

const samplesDir = upstreamPath('istio', 'samples');

describe('imagesOf on the real upstream samples', () => {
  it('lists every bookinfo image once (each version of reviews included), sorted', async () => {
    const samples = await loadSamples('v1.30.3', { manifestsDir: samplesDir });
    const images = imagesOf([...samples.bookinfo, ...samples.bookinfoVersions]);
    expect(images).toEqual([...new Set(images)].sort());
    for (const app of ['productpage', 'details', 'ratings', 'reviews-v1', 'reviews-v2', 'reviews-v3']) {
      expect(images.some((image) => image.includes(`examples-bookinfo-${app}`))).toBe(true);
    }
  });

  it('includes the probe image of the probe clients and ignores objects without pods', async () => {
    const samples = await loadSamples('v1.30.3', { manifestsDir: samplesDir });
    const services = samples.bookinfo.filter((o) => o.kind === 'Service');
    const images = imagesOf([
      ...services,
      ...probeClient({ namespace: 'default', serviceAccount: 'curl', name: 'curl-probe' }),
    ]);
    expect(images).toEqual([PROBE_IMAGE]);
  });
});
