import { UserError } from '../../helpers/errors.ts';
import {
  parseKubernetesMinor,
  pickKubernetesVersion,
  sharedKubernetesMinors,
  supportsKubernetes,
} from '../../helpers/versions/kubernetes.ts';
import { formatSail, type Version } from '../../helpers/versions/version.ts';

/** A node image pinned by digest: kind node images only work with the kind release that built them. */
export type PinnedNodeImage = `${string}@sha256:${string}`;

export interface NodeImagePin {
  readonly kubernetes: string;
  readonly kindRelease: string;
  readonly image: PinnedNodeImage;
}

/**
 * Where the digests below come from: kind's own v0.33.0 release notes ("Images pre-built for this release",
 * NODE_IMAGE_SOURCE), read from a stored copy of that release page on 2026-12-01 and compared digest by digest
 * (all four identical). The notes also name v1.37.0 as the release's default node image. Before that check
 * they were copied from public repositories quoting those notes; the kind git snapshot available here ends
 * at v0.33.0-alpha (21 Aug 2026, default image v1.37.0-rc.1), so `pkg/apis/config/defaults/image.go` at the
 * v0.33.0 tag could not be read. Re-check against the release page when the pin moves; none is typed from memory.
 */
export const NODE_IMAGE_SOURCE = 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0';

/** The kind release the pinned node images were built for; CI installs exactly this one. */
export const PINNED_KIND_RELEASE = 'v0.33.0';

/** Node images with a recorded digest, newest first. A version appears here only with its release's digest. */
export const NODE_IMAGE_PINS: readonly NodeImagePin[] = [
  {
    kubernetes: '1.37.0',
    kindRelease: PINNED_KIND_RELEASE,
    image: 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
  },
  {
    kubernetes: '1.36.4',
    kindRelease: PINNED_KIND_RELEASE,
    image: 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  },
  {
    kubernetes: '1.35.8',
    kindRelease: PINNED_KIND_RELEASE,
    image: 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
  },
  {
    kubernetes: '1.34.11',
    kindRelease: PINNED_KIND_RELEASE,
    image: 'kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
  },
];

/** Versions a kind release lists (FACTS §3), used to point the user at the right release notes. */
export const KIND_RELEASE_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  [PINNED_KIND_RELEASE]: NODE_IMAGE_PINS.map((pin) => pin.kubernetes),
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

export interface ChosenNodeImage {
  readonly image: PinnedNodeImage;
  /** Why this image: picked for the upgrade, or given by the user. */
  readonly note: string;
}

/** The Kubernetes version in a node image's tag (`kindest/node:v1.35.8@sha256:…`), when it has one. */
function tagVersion(image: string): string | undefined {
  return /:(v\d+\.\d+\.\d+)@sha256:/.exec(image)?.[1];
}

/**
 * The node image for a kind run upgrading `from → to`, inside the Kubernetes window of both (helpers/versions/
 * kubernetes.ts). Without flags: the newest pinned image that fits. `--k8s-version` must be pinned and fit;
 * `--node-image` must be pinned by digest and, when its tag names a version, fit. One line when none does.
 */
export function chooseNodeImage(input: {
  k8sVersion: string | undefined;
  nodeImage: string | undefined;
  from: Version;
  to: Version;
}): ChosenNodeImage {
  const { from, to } = input;
  const upgrade = `Istio ${formatSail(from)} → ${formatSail(to)}`;
  const outside = (version: string, flag: string) =>
    new UserError(
      `${flag} ${version} is outside the Kubernetes versions both ${formatSail(from)} and ${formatSail(to)} support (1.${sharedKubernetesMinors(from, to).join(', 1.') || '—'}) — drop ${flag} to let the suite pick, or choose another version`,
    );
  if (input.nodeImage !== undefined) {
    const image = resolveNodeImage(undefined, input.nodeImage) as PinnedNodeImage;
    const version = tagVersion(image);
    const known = sharedKubernetesMinors(from, to).length > 0;
    if (version && known && !supportsKubernetes(from, to, version)) throw outside(version, '--node-image');
    return { image, note: `node image ${image} (--node-image)` };
  }
  if (input.k8sVersion !== undefined) {
    const parsed = parseKubernetesMinor(input.k8sVersion);
    if (
      parsed &&
      sharedKubernetesMinors(from, to).length > 0 &&
      !supportsKubernetes(from, to, input.k8sVersion)
    )
      throw outside(input.k8sVersion, '--k8s-version');
    const image = resolveNodeImage(input.k8sVersion, undefined) as PinnedNodeImage;
    return { image, note: `node image ${image} (--k8s-version)` };
  }
  const version = pickKubernetesVersion(
    from,
    to,
    NODE_IMAGE_PINS.map((pin) => pin.kubernetes),
  );
  const pin = NODE_IMAGE_PINS.find((p) => p.kubernetes === version) as NodeImagePin;
  return {
    image: pin.image,
    note: `node image ${pin.image}: the newest pinned Kubernetes that ${upgrade} both support (kind ${pin.kindRelease})`,
  };
}
