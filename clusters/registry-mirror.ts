import { UserError } from '../helpers/errors.ts';

/** One mirror for every run on this machine: its cache is the point, so it outlives a run. */
export const MIRROR_CONTAINER_NAME = 'aus-registry-mirror';
export const MIRROR_IMAGE = 'registry:2';
export const MIRROR_PORT = 5000;
/** The Docker network kind puts its nodes on; the mirror joins it so nodes reach it by container name. */
export const KIND_NETWORK = 'kind';

export interface RegistryMirror {
  /** URL the kind nodes use, e.g. `http://aus-registry-mirror:5000`. */
  readonly url: string;
}

/**
 * Starts (or reuses) a `registry:2` pull-through cache for docker.io with testcontainers. Reuse means the
 * container is not reaped when this process ends: repeated local runs pull each image from the internet once.
 * Remove it with `docker rm -f aus-registry-mirror`.
 */
export async function startRegistryMirror(): Promise<RegistryMirror> {
  // Loaded lazily: testcontainers probes the container runtime on import paths we do not want in every command.
  const { GenericContainer, Wait } = await import('testcontainers');
  try {
    await new GenericContainer(MIRROR_IMAGE)
      .withName(MIRROR_CONTAINER_NAME)
      .withNetworkMode(KIND_NETWORK)
      .withEnvironment({ REGISTRY_PROXY_REMOTEURL: 'https://registry-1.docker.io' })
      .withExposedPorts(MIRROR_PORT)
      .withWaitStrategy(Wait.forHttp('/v2/', MIRROR_PORT))
      .withReuse()
      .start();
  } catch (error) {
    throw mirrorError(error);
  }
  return { url: `http://${MIRROR_CONTAINER_NAME}:${MIRROR_PORT}` };
}

export function mirrorError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Could not find a working container runtime strategy')) {
    return new UserError(
      '--registry-mirror needs a container runtime testcontainers can reach, and none was found — start Docker (or set DOCKER_HOST), or drop --registry-mirror',
      { cause: error },
    );
  }
  return new Error(`registry mirror ${MIRROR_CONTAINER_NAME} did not start: ${message}`, { cause: error });
}
