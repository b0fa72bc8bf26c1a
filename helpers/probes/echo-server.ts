import { createServer, type Socket } from 'node:net';

export interface EchoServer {
  host: string;
  port: number;
  /** Stops listening and destroys every open connection. */
  close: () => Promise<void>;
  /** Connections currently open (tests and the bench use it to wait for a known state). */
  connections: () => number;
}

/**
 * A TCP echo server: every byte comes back, so it echoes lines. Plays the part of socat `EXEC:cat` in a pod
 * without another image. Port 0 picks a free port.
 */
export function startEchoServer({ host, port }: { host: string; port: number }): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client reset is the client's business; the server must not crash on it.
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.removeListener('error', reject);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        host,
        port: bound,
        connections: () => sockets.size,
        close: () =>
          new Promise<void>((closed) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => closed());
          }),
      });
    });
  });
}
