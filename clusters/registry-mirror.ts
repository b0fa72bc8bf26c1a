import { UserError } from '../helpers/errors.ts';
import type { ContainerEngine } from './container-engine.ts';
import { runTool, runToolOrThrow } from './tools.ts';

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
  return { url: MIRROR_URL };
}

const MIRROR_URL = `http://${MIRROR_CONTAINER_NAME}:${MIRROR_PORT}`;

interface MirrorState {
  readonly running: boolean;
  readonly networks: readonly string[];
}

/** The mirror container by name, whoever created it (a run, an older testcontainers, the user); none: undefined. */
async function inspectMirror(
  engine: ContainerEngine,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<MirrorState | undefined> {
  const result = await runTool(
    engine,
    [
      'container',
      'inspect',
      '--format',
      '{{json .State.Running}} {{json .NetworkSettings.Networks}}',
      MIRROR_CONTAINER_NAME,
    ],
    { env, signal, timeoutMs: 30_000 },
  );
  if (result.exitCode !== 0) return undefined;
  const [running = 'false', ...rest] = result.stdout.trim().split(' ');
  let networks: string[] = [];
  try {
    networks = Object.keys(JSON.parse(rest.join(' ') || '{}') as Record<string, unknown>);
  } catch {
    networks = [];
  }
  return { running: running === 'true', networks };
}

/**
 * The mirror, found by name before anything is created: a container called `aus-registry-mirror` that exists is
 * started if stopped and joined to kind's network if it is not on it; only when none exists is one created. (A
 * create with the name taken fails, and testcontainers' reuse matches its own config hash, not the name.)
 */
export async function ensureRegistryMirror(input: {
  engine: ContainerEngine;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  start?: () => Promise<RegistryMirror>;
}): Promise<RegistryMirror> {
  const { engine, env, signal } = input;
  const found = await inspectMirror(engine, env, signal);
  if (!found) return (input.start ?? startRegistryMirror)();
  if (!found.running) {
    await runToolOrThrow(engine, ['start', MIRROR_CONTAINER_NAME], { env, signal, timeoutMs: 60_000 });
  }
  if (!found.networks.includes(KIND_NETWORK)) {
    await runToolOrThrow(engine, ['network', 'connect', KIND_NETWORK, MIRROR_CONTAINER_NAME], {
      env,
      signal,
      timeoutMs: 30_000,
    });
  }
  return { url: MIRROR_URL };
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
