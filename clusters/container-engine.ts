import { findOnPath, runTool } from './tools.ts';

export type ContainerEngine = 'docker' | 'podman';

export type EngineCheck =
  | { readonly ok: true; readonly engine: ContainerEngine }
  | { readonly ok: false; readonly problem: string };

// `docker info` against a missing socket fails at once; a hung daemon must not hold the prerequisite check.
const INFO_TIMEOUT_MS = 3_500;

interface Probe {
  readonly installed: boolean;
  readonly answers: boolean;
}

async function probe(engine: ContainerEngine, env: NodeJS.ProcessEnv): Promise<Probe> {
  const path = await findOnPath(engine, env);
  if (!path) return { installed: false, answers: false };
  try {
    const result = await runTool(path, ['info', '--format', '{{json .}}'], {
      timeoutMs: INFO_TIMEOUT_MS,
      env,
    });
    return { installed: true, answers: result.exitCode === 0 && !result.timedOut };
  } catch {
    // Installed but not startable (permissions): as good as a daemon that does not answer.
    return { installed: true, answers: false };
  }
}

/**
 * Finds a container engine that answers. Docker is preferred unless `KIND_EXPERIMENTAL_PROVIDER=podman` says
 * otherwise (kind reads the same variable). A docker client without a daemon gets its own sentence: it is the
 * most common way to get this wrong.
 */
export async function detectContainerEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineCheck> {
  const [docker, podman] = await Promise.all([probe('docker', env), probe('podman', env)]);
  const order: ContainerEngine[] =
    env.KIND_EXPERIMENTAL_PROVIDER === 'podman' ? ['podman', 'docker'] : ['docker', 'podman'];
  const probes = { docker, podman };
  for (const engine of order) if (probes[engine].answers) return { ok: true, engine };
  if (docker.installed) {
    return {
      ok: false,
      problem:
        'Docker is installed but its daemon is not reachable — start Docker, or use --provider existing --kubeconfig <file>',
    };
  }
  if (podman.installed) {
    return {
      ok: false,
      problem:
        'Podman is installed but `podman info` failed — start Podman (podman machine start), or use --provider existing --kubeconfig <file>',
    };
  }
  return {
    ok: false,
    problem:
      'no container engine found (docker or podman on PATH) — install Docker or Podman, or use --provider existing --kubeconfig <file>',
  };
}

/**
 * kind drives podman only when told to; the suite passes the engine it found (or the one a run recorded). An
 * inherited `KIND_EXPERIMENTAL_PROVIDER` never redirects kind to another engine than that one.
 */
export function kindEnv(engine: ContainerEngine, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { KIND_EXPERIMENTAL_PROVIDER: _inherited, ...rest } = env;
  return engine === 'podman' ? { ...rest, KIND_EXPERIMENTAL_PROVIDER: 'podman' } : rest;
}
