/**
 * The websocket side of the fake Kubernetes API: exec and port-forward on the channel subprotocols. Frames are
 * `[channel byte][payload]`: exec writes stdout on 1, stderr on 2 and a v1 `Status` on 3 (the error channel);
 * stdin arrives on 0 and, with v5.channel.k8s.io, a `[255, 0]` frame closes it. Port-forward uses data channel 0 and
 * error channel 1, each starting with the port number as two little-endian bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export interface ExecCall {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: Buffer | undefined;
  protocol: string;
}

export interface ExecReply {
  stdout?: string;
  stderr?: string;
  /** v1 Status sent on channel 3; omit to close the socket without one. */
  status?: Record<string, unknown>;
}

export interface PortForwardCall {
  namespace: string;
  pod: string;
  port: number;
  /** Write back on the data channel. */
  send(data: Buffer | string): void;
  /** Report on the error channel (client-node then closes the local connection). */
  error(text: string): void;
  close(): void;
}

export interface StreamHandlers {
  exec?: (call: ExecCall) => ExecReply | Promise<ExecReply>;
  /** Offer only these subprotocols (in preference order); default v5 then v4 for exec, v4 for port-forward. */
  execProtocols?: string[];
  /** Called once per connection; returns the handler of the bytes the client sends. */
  portForward?: (call: PortForwardCall) => (data: Buffer) => void;
}

function frame(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

export function handleStreamUpgrade(
  handlers: StreamHandlers,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const match = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|portforward)$/);
  if (!match) {
    socket.destroy();
    return;
  }
  const [, namespace = '', pod = '', verb] = match;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const preferred =
    verb === 'exec'
      ? (handlers.execProtocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'])
      : ['v4.channel.k8s.io'];
  const protocol = preferred.find((p) => offered.includes(p));
  if (!protocol) {
    socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    socket.destroy();
    return;
  }
  const server = new WebSocketServer({ noServer: true, handleProtocols: () => protocol });
  server.handleUpgrade(req, socket, head, (ws) => {
    if (verb === 'exec') runExec(handlers, ws, url, namespace, pod, protocol);
    else runPortForward(handlers, ws, url, namespace, pod);
  });
}

function runExec(
  handlers: StreamHandlers,
  ws: WebSocket,
  url: URL,
  namespace: string,
  pod: string,
  protocol: string,
): void {
  const wantsStdin = url.searchParams.get('stdin') === 'true';
  const stdin: Buffer[] = [];
  let started = false;
  const start = async (): Promise<void> => {
    if (started) return;
    started = true;
    const call: ExecCall = {
      namespace,
      pod,
      container: url.searchParams.get('container') ?? '',
      command: url.searchParams.getAll('command'),
      stdin: wantsStdin ? Buffer.concat(stdin) : undefined,
      protocol,
    };
    const reply = handlers.exec ? await handlers.exec(call) : { status: { status: 'Success' } };
    if (reply.stdout) ws.send(frame(1, reply.stdout));
    if (reply.stderr) ws.send(frame(2, reply.stderr));
    if (reply.status) ws.send(frame(3, JSON.stringify(reply.status)));
    ws.close();
  };
  ws.on('message', (data: Buffer) => {
    const channel = data[0];
    if (channel === 0) stdin.push(data.subarray(1));
    else if (channel === 255 && data[1] === 0) void start();
  });
  ws.on('close', () => {
    if (wantsStdin && !started) started = true; // v4 clients close the socket to end stdin: nothing to answer to
  });
  if (!wantsStdin) void start();
}

function runPortForward(
  handlers: StreamHandlers,
  ws: WebSocket,
  url: URL,
  namespace: string,
  pod: string,
): void {
  const port = Number(url.searchParams.get('ports'));
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16LE(port, 0);
  ws.send(frame(0, portBytes));
  ws.send(frame(1, portBytes));
  const call: PortForwardCall = {
    namespace,
    pod,
    port,
    send: (data) => ws.send(frame(0, data)),
    error: (text) => ws.send(frame(1, text)),
    close: () => ws.close(),
  };
  const onData = handlers.portForward ? handlers.portForward(call) : (data: Buffer) => call.send(data);
  ws.on('message', (data: Buffer) => {
    if (data[0] === 0) onData(data.subarray(1));
  });
}
