import { createServer, type Server, type Socket } from 'node:net';

/** Loopback address for the probes' tests (127.0.4.0/24 is this folder's; other engineers use other ranges). */
export const HOST = '127.0.4.1';
/** Nothing in this suite listens here, so a connection to it is refused. */
export const DEAD_PORT = 24999;

export interface TcpFixture {
  port: number;
  sockets: Set<Socket>;
  /** Stops listening and ends every connection with `end` (default: destroy). */
  close: (end?: (socket: Socket) => void) => Promise<void>;
}

/** An in-process TCP server on an ephemeral port that hands each connection to `onConnection`. */
export function tcpServer(onConnection: (socket: Socket) => void): Promise<TcpFixture> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) throw new Error('no address');
      resolve({
        port: address.port,
        sockets,
        close: (end = (socket) => socket.destroy()) =>
          new Promise((done) => {
            for (const socket of sockets) end(socket);
            server.close(() => done());
          }),
      });
    });
  });
}

/** Answers every connection with `response` once the request head has arrived, then closes. */
export function httpText(status: number, reason: string, body: string): string {
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: text/plain',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

export function respondAfterHead(response: string): (socket: Socket) => void {
  return (socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.end(response);
    });
  };
}

/** Captures what a probe writes. */
export function captureIo(): {
  stdout: (t: string) => void;
  stderr: (t: string) => void;
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), out, err };
}

/** Polls `check` until it returns true, at most `timeoutMs`; throws naming `what` otherwise. */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
