/**
 * Istio versions as the mesh layer compares them. Sail writes `spec.version` as `v1.30.3` (or an alias such as
 * `v1.30-latest`); images carry `1.30.3`, sometimes with a `-distroless` variant; proxies report `1.30.3`.
 * The versions engineer's `parseVersion` is the full parser; this is only the normal form for equality.
 */
export function normaliseVersion(version: string): string {
  return version.trim().replace(/^v/, '');
}

export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return normaliseVersion(a) === normaliseVersion(b);
}

/** `v1.30-latest` and similar aliases name no exact patch: an image tag cannot be checked against them. */
export function isVersionAlias(version: string): boolean {
  return /-latest$/.test(version) || normaliseVersion(version) === 'master';
}

const VARIANTS = ['-distroless', '-debug'];

/**
 * The Istio version in an image reference, or undefined when the image is pinned by digest only (OpenShift
 * installs use `registry.redhat.io/...@sha256:...`) or has no tag.
 */
export function versionFromImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const nameAndTag = withoutDigest.slice(lastSlash + 1);
  const colon = nameAndTag.lastIndexOf(':');
  if (colon < 0) return undefined;
  let tag = nameAndTag.slice(colon + 1);
  for (const variant of VARIANTS) if (tag.endsWith(variant)) tag = tag.slice(0, -variant.length);
  return /^\d+\.\d+/.test(tag) ? tag : undefined;
}
