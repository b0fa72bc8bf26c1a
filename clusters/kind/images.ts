import { z } from 'zod';

/**
 * A fully qualified image reference: `curlimages/curl:8.16.0` → `docker.io/curlimages/curl:8.16.0`, `nginx` →
 * `docker.io/library/nginx:latest`. Podman in enforcing short-name mode refuses short names without a TTY, and an
 * archive saved under the qualified name is what containerd in the nodes looks up.
 */
export function qualifyImage(image: string): string {
  const [name = image, digest] = image.split('@');
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let path = name;
  if (!hasRegistry) path = slash < 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && digest === undefined) path = `${path}:latest`;
  return digest === undefined ? path : `${path}@${digest}`;
}

/** How `kind` can get images out of this Docker engine. */
export type DockerLoadMethod =
  | { readonly kind: 'docker-image' }
  | { readonly kind: 'platform-archive'; readonly platform: string }
  | { readonly kind: 'docker-image-old-engine'; readonly serverVersion: string };

const DockerInfo = z.looseObject({
  ServerVersion: z.string().optional(),
  Architecture: z.string().optional(),
  DriverStatus: z.array(z.array(z.string())).nullish(),
});

const ARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

/**
 * Reads `docker info --format '{{json .}}'`. With the containerd image store (Docker 29 fresh installs, Docker
 * Desktop, OrbStack: `DriverStatus` has `driver-type io.containerd.snapshotter.v1`) a multi-platform image keeps
 * its whole index but only this platform's layers, and `kind load docker-image` fails with `content digest … not
 * found` (kind #3795, #4066): save one platform instead (`docker save --platform`, Docker ≥ 28). The classic
 * store, and engines too old for `--platform`, keep `kind load docker-image`.
 */
export function dockerLoadMethod(infoJson: string, hostArch: string = process.arch): DockerLoadMethod {
  let info: z.infer<typeof DockerInfo> | undefined;
  try {
    info = DockerInfo.safeParse(JSON.parse(infoJson)).data;
  } catch {
    info = undefined;
  }
  const containerd = (info?.DriverStatus ?? []).some(
    ([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1',
  );
  if (!containerd) return { kind: 'docker-image' };
  const serverVersion = info?.ServerVersion ?? 'unknown';
  const major = Number(/^(\d+)\./.exec(serverVersion)?.[1] ?? Number.NaN);
  if (!(major >= 28)) return { kind: 'docker-image-old-engine', serverVersion };
  const arch = ARCH[info?.Architecture ?? ''] ?? (hostArch === 'x64' ? 'amd64' : hostArch);
  return { kind: 'platform-archive', platform: `linux/${arch}` };
}
