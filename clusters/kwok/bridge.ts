import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { netnsArgs } from './netns.ts';

/**
 * Reaches a TCP port inside the kwok network namespace from the host's loopback, without giving the namespace
 * any network interface: inside, `socat` listens on a unix socket file and dials 127.0.0.1:<port> in the
 * namespace; outside, a listener on 127.0.0.1 (a free port) pipes each connection to that socket file. A
 * client (the CLI, vitest workers, helm) only ever dials its own loopback, and the namespace never dials out.
 */
export interface Bridge {
  /** The host-side port on 127.0.0.1. */
  readonly port: number;
  close(): Promise<void>;
}

export function innerSocatArgs(netns: string, socketPath: string, port: number): string[] {
  return netnsArgs.exec(netns, 'socat', [
    `UNIX-LISTEN:${socketPath},fork,unlink-early,mode=600`,
    `TCP:127.0.0.1:${port}`,
  ]);
}

async function waitForSocket(path: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`socat for ${path} exited ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const probe = connect(path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`socat did not listen on ${path} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function openBridge(netns: string, socketPath: string, port: number): Promise<Bridge> {
  await rm(socketPath, { force: true });
  const inner = spawn('ip', innerSocatArgs(netns, socketPath, port), { stdio: 'ignore' });
  await waitForSocket(socketPath, inner, 5_000);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // The bridge must never keep the CLI or a test process alive on its own.
  server.unref();
  inner.unref();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bridge: no TCP address');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (inner.exitCode === null) inner.kill('SIGTERM');
      await rm(socketPath, { force: true });
    },
  };
}
