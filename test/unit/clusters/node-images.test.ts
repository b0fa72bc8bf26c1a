import { describe, expect, it } from 'vitest';
import { isPinnedImage, NODE_IMAGE_PINS, resolveNodeImage } from '../../../clusters/kind/node-images.ts';
import { UserError } from '../../../helpers/errors.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('kind node images', () => {
  it("uses kind's own default node image when neither --k8s-version nor --node-image is given", () => {
    expect(resolveNodeImage(undefined, undefined)).toBeUndefined();
  });

  it('accepts a --node-image pinned by digest and refuses one without', () => {
    expect(resolveNodeImage(undefined, `kindest/node:v1.36.4@${DIGEST}`)).toBe(
      `kindest/node:v1.36.4@${DIGEST}`,
    );
    expect(() => resolveNodeImage(undefined, 'kindest/node:v1.36.4')).toThrow(UserError);
    expect(() => resolveNodeImage(undefined, 'kindest/node:v1.36.4')).toThrow(/not pinned by digest/);
  });

  it('never invents a digest: a version without a recorded pin asks for --node-image and names the kind release', () => {
    const run = () => resolveNodeImage('1.36.4', undefined);
    expect(run).toThrow(UserError);
    expect(run).toThrow(/--node-image kindest\/node:v1\.36\.4@sha256:<digest>.*kind v0\.33\.0/);
    expect(() => resolveNodeImage('v1.20.0', undefined)).toThrow(/release notes of your kind version/);
  });

  it('every recorded pin carries a full sha256 digest', () => {
    for (const pin of NODE_IMAGE_PINS) expect(isPinnedImage(pin.image), pin.kubernetes).toBe(true);
  });
});
