import { describe, expect, it } from 'vitest';
import {
  chooseNodeImage,
  isPinnedImage,
  NODE_IMAGE_PINS,
  PINNED_KIND_RELEASE,
  resolveNodeImage,
} from '../../../clusters/kind/node-images.ts';
import { UserError } from '../../../helpers/errors.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';

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

  it('never invents a digest: a version without a recorded pin asks for --node-image', () => {
    const run = () => resolveNodeImage('1.33.4', undefined);
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      /--node-image kindest\/node:v1\.33\.4@sha256:<digest>.*release notes of your kind version/,
    );
  });

  it('resolves a pinned version to its digest-pinned image from the kind release it was built for', () => {
    expect(resolveNodeImage('v1.35.8', undefined)).toBe(
      'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
    );
    expect(new Set(NODE_IMAGE_PINS.map((pin) => pin.kindRelease))).toEqual(new Set([PINNED_KIND_RELEASE]));
  });

  it('picks the node image inside both windows, and refuses a --node-image outside them', () => {
    const upgrade = { from: parseVersion('1.29.6'), to: parseVersion('1.30.3'), k8sVersion: undefined };
    expect(chooseNodeImage({ ...upgrade, nodeImage: undefined }).image).toMatch(/^kindest\/node:v1\.35\.8@/);
    expect(() => chooseNodeImage({ ...upgrade, nodeImage: `kindest/node:v1.37.0@${DIGEST}` })).toThrow(
      /--node-image v1\.37\.0 is outside the Kubernetes versions both v1\.29\.6 and v1\.30\.3 support/,
    );
    expect(() =>
      chooseNodeImage({
        ...upgrade,
        from: parseVersion('1.30.3'),
        to: parseVersion('1.31.0-beta.1'),
        nodeImage: undefined,
      }),
    ).toThrow(/no supported Kubernetes versions are recorded for Istio v1\.31\.0-beta\.1/);
    // An explicit pinned image for a minor the table does not know yet is the user's call (pre-release gates).
    expect(
      chooseNodeImage({
        ...upgrade,
        to: parseVersion('1.31.0-beta.1'),
        nodeImage: `kindest/node:v1.36.4@${DIGEST}`,
      }).image,
    ).toBe(`kindest/node:v1.36.4@${DIGEST}`);
  });

  it('every recorded pin carries a full sha256 digest', () => {
    for (const pin of NODE_IMAGE_PINS) expect(isPinnedImage(pin.image), pin.kubernetes).toBe(true);
  });
});
