import { UserError } from '../../helpers/errors.ts';

/** A node image pinned by digest: kind node images only work with the kind release that built them. */
export type PinnedNodeImage = `${string}@sha256:${string}`;

export interface NodeImagePin {
  readonly kubernetes: string;
  readonly kindRelease: string;
  readonly image: PinnedNodeImage;
}

/**
 * Node images with a recorded digest, copied from the kind release notes
 * (https://github.com/kubernetes-sigs/kind/releases). A digest is never guessed: a version appears here only with
 * the digest its release lists. Until a row is added, `--k8s-version` needs `--node-image`, and a run without
 * either uses the default node image of the installed kind binary (kind pins that one by digest itself).
 */
export const NODE_IMAGE_PINS: readonly NodeImagePin[] = [];

/** Versions a kind release lists (FACTS §3), used to point the user at the right release notes. */
export const KIND_RELEASE_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'v0.33.0': ['1.37.0', '1.36.4', '1.35.8', '1.34.11'],
};

const DIGEST_REF = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[a-f0-9]{64}$/;

export function isPinnedImage(image: string): image is PinnedNodeImage {
  return DIGEST_REF.test(image);
}

/** The node image to pass to `kind create cluster --image`, or undefined for kind's own default. */
export function resolveNodeImage(
  k8sVersion: string | undefined,
  nodeImage: string | undefined,
): PinnedNodeImage | undefined {
  if (nodeImage !== undefined) {
    if (!isPinnedImage(nodeImage)) {
      throw new UserError(
        `--node-image ${nodeImage} is not pinned by digest — pass <image>:<tag>@sha256:<digest> as listed in the kind release notes`,
      );
    }
    return nodeImage;
  }
  if (k8sVersion === undefined) return undefined;
  const wanted = k8sVersion.replace(/^v/, '');
  const pin = NODE_IMAGE_PINS.find((p) => p.kubernetes === wanted);
  if (pin) return pin.image;
  const release = Object.entries(KIND_RELEASE_VERSIONS).find(([, versions]) =>
    versions.includes(wanted),
  )?.[0];
  const where = release
    ? `kind ${release} lists it; copy its digest from https://github.com/kubernetes-sigs/kind/releases/tag/${release}`
    : 'copy the digest from the release notes of your kind version';
  throw new UserError(
    `no node image digest is recorded for Kubernetes v${wanted} — pass --node-image kindest/node:v${wanted}@sha256:<digest> (${where}), or drop --k8s-version to use your kind release's default`,
  );
}
