import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childrenOf, pollUntil, type RunningProcess, startListening } from './procs.ts';

// Drives HAProxy the way a ztunnel upgrade treats connections: a graceful reload whose old process keeps existing
// connections until a hard-stop deadline (new connections go to the new process), or a hard kill.

export interface TcpProxySpec {
  dir: string;
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
  /** `hard-stop-after`: how long the old process may keep serving after a reload. */
  hardStopAfterMs: number;
  /** HAProxy's `timeout connect` to the upstream (default 1 s). */
  connectTimeoutMs?: number;
  netns?: string;
}

export function tcpProxyConfig(spec: TcpProxySpec): string {
  return `
global
  # Hands the listening sockets to the new worker on reload, so no new connection is refused meanwhile.
  stats socket ${join(spec.dir, 'admin.sock')} mode 600 level admin expose-fd listeners
  hard-stop-after ${spec.hardStopAfterMs}ms
defaults
  mode tcp
  retries 0
  timeout connect ${spec.connectTimeoutMs ?? 1000}ms
  timeout client 120s
  timeout server 120s
frontend fe
  bind ${spec.listen.host}:${spec.listen.port}
  default_backend echo
backend echo
  server echo ${spec.upstream.host}:${spec.upstream.port}
`;
}

export interface MasterWorkerProxy {
  proc: RunningProcess;
  /** Current worker pids. */
  workers: () => Promise<number[]>;
  /**
   * Graceful reload (SIGUSR2 to the master). Returns when the signal was sent (the timeline's reference) and
   * waits until a new worker has been forked; the old one then soft-stops until its hard-stop deadline.
   */
  reload: () => Promise<{ at: number; oldWorkers: number[]; newWorker: number }>;
}

/** HAProxy in master-worker mode (`-W`), as a rolling upgrade's old and new processes. */
export async function startMasterWorker(spec: TcpProxySpec): Promise<MasterWorkerProxy> {
  const cfg = join(spec.dir, 'haproxy.cfg');
  await writeFile(cfg, tcpProxyConfig(spec));
  const proc = await startListening('haproxy -W', 'haproxy', ['-W', '-db', '-f', cfg], [spec.listen], {
    netns: spec.netns,
  });
  const workers = () => childrenOf(proc.pid);
  await pollUntil('the first HAProxy worker', workers, (w) => w.length === 1);
  return {
    proc,
    workers,
    reload: async () => {
      const oldWorkers = await workers();
      const at = Date.now();
      process.kill(proc.pid, 'SIGUSR2');
      const now = await pollUntil('a new HAProxy worker after SIGUSR2', workers, (w) =>
        w.some((pid) => !oldWorkers.includes(pid)),
      );
      const newWorker = now.find((pid) => !oldWorkers.includes(pid));
      if (newWorker === undefined) throw new Error('unreachable: no new worker');
      return { at, oldWorkers, newWorker };
    },
  };
}

/** A single HAProxy process (`-db`, no master) that can be killed with SIGKILL and started again. */
export async function startSingle(spec: TcpProxySpec): Promise<RunningProcess> {
  const cfg = join(spec.dir, 'haproxy.cfg');
  await writeFile(cfg, tcpProxyConfig(spec));
  return startListening('haproxy', 'haproxy', ['-db', '-f', cfg], [spec.listen], { netns: spec.netns });
}

/** SIGKILL: the kernel closes every socket the process held, with no goodbye from HAProxy. */
export async function hardKill(proc: RunningProcess): Promise<number> {
  const at = Date.now();
  process.kill(proc.pid, 'SIGKILL');
  await proc.exited;
  return at;
}

/** `socat TCP-LISTEN:…,fork,reuseaddr EXEC:cat`: the line echo server behind the proxy. */
export function startSocatEcho(
  listen: { host: string; port: number },
  netns?: string,
): Promise<RunningProcess> {
  return startListening(
    'socat echo',
    'socat',
    [`TCP-LISTEN:${listen.port},bind=${listen.host},reuseaddr,fork,backlog=1024`, 'EXEC:cat'],
    [listen],
    { netns },
  );
}
