import { runTool, runToolOrThrow } from '../tools.ts';

/**
 * A network namespace with only a loopback interface: everything of a kwok cluster (etcd, the apiserver, the
 * controllers, kwok, the operator) runs in one, so nothing it dials can leave the machine — the apiserver would
 * otherwise try Service and node addresses in private ranges. Needs root (`ip netns`).
 */
export interface NetnsCommands {
  add(name: string): string[];
  loopbackUp(name: string): string[];
  /** Prefix that runs a command inside the namespace. */
  exec(name: string, command: string, args: readonly string[]): string[];
  pids(name: string): string[];
  del(name: string): string[];
  list(): string[];
}

export const netnsArgs: NetnsCommands = {
  add: (name) => ['netns', 'add', name],
  loopbackUp: (name) => ['-n', name, 'link', 'set', 'lo', 'up'],
  exec: (name, command, args) => ['netns', 'exec', name, command, ...args],
  pids: (name) => ['netns', 'pids', name],
  del: (name) => ['netns', 'del', name],
  list: () => ['netns', 'list'],
};

/** Namespaces made by the suite are `aus-<runId>`, like its kind clusters. */
export const NETNS_PREFIX = 'aus-';

export async function createNetns(name: string): Promise<void> {
  await runToolOrThrow('ip', netnsArgs.add(name));
  await runToolOrThrow('ip', netnsArgs.loopbackUp(name));
}

/** The interfaces of the namespace (`ip -n <ns> -o link`): proves only `lo` is there. */
export async function netnsLinks(name: string): Promise<string[]> {
  const result = await runToolOrThrow('ip', ['-n', name, '-o', 'link', 'show']);
  return result.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^:@]+)/.exec(line)?.[1])
    .filter((link): link is string => link !== undefined);
}

export async function netnsExists(name: string): Promise<boolean> {
  const result = await runTool('ip', netnsArgs.list());
  return result.stdout.split('\n').some((line) => line.split(' ')[0] === name);
}

/** Pids of every process inside the namespace (all of them ours: the namespace was made for this cluster). */
export async function netnsPids(name: string): Promise<number[]> {
  const result = await runTool('ip', netnsArgs.pids(name));
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops every process left in the namespace (SIGTERM, then SIGKILL after `graceMs`) and deletes it. The
 * components outlive `kwokctl` (it starts them with setsid), so this is the backstop that leaves nothing running.
 */
export async function destroyNetns(name: string, graceMs = 5_000): Promise<void> {
  if (!(await netnsExists(name))) return;
  const first = await netnsPids(name);
  signalPids(first, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = await netnsPids(name);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await netnsPids(name);
  }
  signalPids(left, 'SIGKILL');
  for (let i = 0; i < 50 && (await netnsPids(name)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  await runToolOrThrow('ip', netnsArgs.del(name));
}
