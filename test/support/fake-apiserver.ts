/**
 * A fake Kubernetes API at the HTTP level, for pointing a real client-node `KubeConfig` at. It serves discovery,
 * GET/LIST/PATCH (apply and merge)/DELETE from an in-memory store, watch streams, the Eviction subresource, pod
 * logs, and exec/port-forward over websockets. Tests script failures (any status, Retry-After, connection resets,
 * delays) and control watches (end them, expire them with 410 Gone).
 *
 * client-node refuses `http:` servers unless the cluster sets `insecure-skip-tls-verify: true`, so the kubeconfig
 * written here does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import {
  apiVersionOf,
  FakeStore,
  matches,
  type ResourceDef,
  type StoredObject,
  type StoreEvent,
} from './fake-api-store.ts';
import { handleStreamUpgrade, type StreamHandlers } from './fake-api-streams.ts';

export type { ResourceDef, StoredObject } from './fake-api-store.ts';
export type { ExecCall, ExecReply, PortForwardCall } from './fake-api-streams.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

/** A scripted failure: the next `times` matching requests get it instead of the normal answer. */
export interface Fault {
  method?: string;
  /** Exact pathname, or a pattern tested against it. */
  path?: string | RegExp;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
  times?: number;
  status?: number;
  /** Response body; defaults to a `Status` with `message`. */
  body?: unknown;
  message?: string;
  reason?: string;
  headers?: Record<string, string>;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Wait before answering (with the fault's status, or normally when no status is given). */
  delayMs?: number;
}

interface OpenWatch {
  response: ServerResponse;
  close(): void;
}

export const fakeToken = 'fake-token-5ecr3t-do-not-print';

function status(code: number, reason: string, message: string, details?: unknown): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    code,
    ...(details === undefined ? {} : { details }),
  };
}

function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Route {
  resource: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export class FakeApiServer {
  readonly store: FakeStore;
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly streams: StreamHandlers = {};
  /** Pod logs by `namespace/pod/container`. */
  readonly logs = new Map<string, string>();
  /** Called with every request once recorded, before it is answered: a test changes the store mid-wait. */
  onRequest: ((request: RecordedRequest) => void) | undefined = undefined;
  /** Decides whether evicting a pod is refused by a PodDisruptionBudget: return the PDB's name to refuse. */
  evictionBlocker: (pod: StoredObject) => string | undefined = () => undefined;
  /** After an accepted eviction the pod stays (terminating) for this many GETs of it, then disappears. */
  terminatingReads = 0;
  /** Watches starting below this resourceVersion get 410 Gone (history compacted). */
  compactedBelow = 0;
  private readonly terminating = new Map<string, number>();
  private readonly openWatches = new Set<OpenWatch>();
  private server: Server | undefined;
  private dir: string | undefined;
  url = '';
  kubeconfigPath = '';

  private constructor(store: FakeStore) {
    this.store = store;
  }

  static async start(resources?: ResourceDef[]): Promise<FakeApiServer> {
    const fake = new FakeApiServer(new FakeStore(resources));
    const server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, status(500, 'InternalError', String(error)));
        else res.destroy();
      });
    });
    server.on('upgrade', (req, socket, head) => handleStreamUpgrade(fake.streams, req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake.server = server;
    fake.url = `http://127.0.0.1:${port}`;
    fake.dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-'));
    fake.kubeconfigPath = join(fake.dir, 'kubeconfig');
    await writeFile(fake.kubeconfigPath, fake.kubeconfig());
    return fake;
  }

  kubeconfig(context = 'fake'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake-cluster`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake-user',
      '  user:',
      `    token: ${fakeToken}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      '    cluster: fake-cluster',
      '    user: fake-user',
      '    namespace: default',
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  async close(): Promise<void> {
    this.endWatches();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Adds a scripted failure. */
  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Stores an object directly (as if a controller wrote it); watches see the event. */
  put(object: StoredObject): StoredObject {
    return this.store.put(object);
  }

  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): StoredObject | undefined {
    return this.store.get(this.store.resourceFor(apiVersion, kind), namespace, name);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    this.store.remove(this.store.resourceFor(apiVersion, kind), namespace, name);
  }

  /** Ends every open watch stream normally (as the API does at its watch timeout). */
  endWatches(): void {
    for (const w of [...this.openWatches]) w.close();
  }

  /** Sends a 410 Gone ERROR event on every open watch, then ends it; and compacts history up to now. */
  expireWatches(): void {
    // History before now is gone: a watch from the current revision is fine, anything older gets 410.
    this.compactedBelow = this.store.resourceVersion;
    for (const w of [...this.openWatches]) {
      w.response.write(
        `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') })}\n`,
      );
      w.close();
    }
  }

  get watchCount(): number {
    return this.openWatches.size;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body,
    };
    this.requests.push(recorded);
    this.onRequest?.(recorded);
    if (req.headers.authorization !== `Bearer ${fakeToken}`) {
      send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const fault = this.faults.find(
      (f) =>
        (f.times ?? 1) > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.watch === undefined || f.watch === isWatch) &&
        (f.path === undefined ||
          (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname))),
    );
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.delayMs) await delay(fault.delayMs);
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const code = fault.status;
        send(
          res,
          code,
          fault.body ?? status(code, fault.reason ?? 'Scripted', fault.message ?? `scripted ${code}`),
          {
            ...fault.headers,
          },
        );
        return;
      }
    }
    this.route(method, url, body, isWatch, res, req.headers['content-type'] ?? '');
  }

  private discovery(path: string): Record<string, unknown> | undefined {
    const gv = path.startsWith('/api/') ? path.slice('/api/'.length) : path.slice('/apis/'.length);
    const resources = this.store.resources.filter((r) => apiVersionOf(r) === gv);
    if (resources.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: resources.map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'list', 'watch', 'patch', 'delete'],
      })),
    };
  }

  private parseRoute(pathname: string): Route | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let gv: string;
    let rest: string[];
    if (parts[0] === 'api') {
      gv = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      gv = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = this.store.resources.find((r) => apiVersionOf(r) === gv && r.plural === rest[0]);
    if (!resource) return undefined;
    return { resource, namespace, name: rest[1], subresource: rest[2] };
  }

  private route(
    method: string,
    url: URL,
    body: string,
    isWatch: boolean,
    res: ServerResponse,
    contentType: string,
  ): void {
    const path = url.pathname;
    if (method === 'GET' && /^\/(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path)) {
      const list = this.discovery(path);
      if (list) send(res, 200, list);
      else send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const route = this.parseRoute(path);
    if (!route) {
      send(res, 404, status(404, 'NotFound', `no route for ${path}`));
      return;
    }
    const { resource, namespace, name, subresource } = route;
    const q = url.searchParams;
    if (name === undefined) {
      if (method !== 'GET') {
        send(res, 405, status(405, 'MethodNotAllowed', `${method} on a collection`));
        return;
      }
      if (isWatch) this.watch(route, q, res);
      else {
        const items = this.store
          .list(resource, namespace)
          .filter((o) => matches(o, undefined, q.get('labelSelector'), q.get('fieldSelector')));
        send(res, 200, {
          kind: `${resource.kind}List`,
          apiVersion: apiVersionOf(resource),
          metadata: { resourceVersion: String(this.store.resourceVersion) },
          items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
        });
      }
      return;
    }
    const notFound = (): void =>
      send(
        res,
        404,
        status(404, 'NotFound', `${resource.plural} "${name}" not found`, { name, kind: resource.plural }),
      );
    const existing = this.store.get(resource, namespace, name);
    if (subresource === 'eviction' && method === 'POST') {
      this.evict(existing, res, notFound);
      return;
    }
    if (subresource === 'log' && method === 'GET') {
      if (!existing) {
        notFound();
        return;
      }
      const text = this.logs.get(`${namespace}/${name}/${q.get('container') ?? ''}`) ?? '';
      const tail = Number(q.get('tailLines') ?? 'NaN');
      const lines = text.split('\n').filter((l) => l !== '');
      const shown = Number.isFinite(tail) ? lines.slice(-tail) : lines;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(shown.map((l) => `${l}\n`).join(''));
      return;
    }
    if (subresource !== undefined) {
      send(res, 404, status(404, 'NotFound', `subresource ${subresource} not served by the fake`));
      return;
    }
    if (method === 'GET') {
      if (!existing) {
        notFound();
        return;
      }
      const key = `${namespace}/${name}`;
      const left = this.terminating.get(key);
      if (left !== undefined && resource.kind === 'Pod') {
        if (left <= 0) {
          this.terminating.delete(key);
          this.store.remove(resource, namespace, name);
          notFound();
          return;
        }
        this.terminating.set(key, left - 1);
      }
      send(res, 200, existing);
    } else if (method === 'DELETE') {
      if (!existing) {
        notFound();
        return;
      }
      // DeleteOptions.preconditions.uid, as the real API checks it: another object of the same name stays.
      const wantedUid = (parseYaml(body || '{}') as { preconditions?: { uid?: string } } | null)
        ?.preconditions?.uid;
      if (wantedUid !== undefined && wantedUid !== existing.metadata.uid) {
        send(
          res,
          409,
          status(
            409,
            'Conflict',
            `Precondition failed: UID in precondition: ${wantedUid}, UID in object meta: ${String(existing.metadata.uid)}`,
          ),
        );
        return;
      }
      this.store.remove(resource, namespace, name);
      send(res, 200, status(200, '', '', { name, kind: resource.plural }));
    } else if (method === 'PATCH') {
      this.patch(route, existing, body, q, res, contentType);
    } else {
      send(res, 405, status(405, 'MethodNotAllowed', `${method} not served by the fake`));
    }
  }

  private patch(
    route: Route,
    existing: StoredObject | undefined,
    body: string,
    q: URLSearchParams,
    res: ServerResponse,
    contentType: string,
  ): void {
    const patch = parseYaml(body) as StoredObject;
    if (contentType === 'application/apply-patch+yaml') {
      if (!q.get('fieldManager')) {
        send(
          res,
          400,
          status(400, 'BadRequest', 'PATCH, fieldManager: Required value: is required for apply patch'),
        );
        return;
      }
      const merged = mergePatch(existing ?? {}, patch) as StoredObject;
      if (existing?.status !== undefined) merged.status = existing.status;
      if (route.namespace !== undefined) merged.metadata.namespace = route.namespace;
      send(res, 200, this.store.put(merged));
    } else if (contentType === 'application/merge-patch+json') {
      if (!existing) {
        send(res, 404, status(404, 'NotFound', `${route.resource.plural} "${route.name}" not found`));
        return;
      }
      send(res, 200, this.store.put(mergePatch(existing, patch) as StoredObject));
    } else {
      send(res, 415, status(415, 'UnsupportedMediaType', `patch type ${contentType} not served by the fake`));
    }
  }

  private evict(pod: StoredObject | undefined, res: ServerResponse, notFound: () => void): void {
    if (!pod) {
      notFound();
      return;
    }
    const pdb = this.evictionBlocker(pod);
    if (pdb !== undefined) {
      send(
        res,
        429,
        status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${pdb} needs 1 healthy pods and has 1 currently`,
            },
          ],
        }),
      );
      return;
    }
    const namespace = pod.metadata.namespace;
    const key = `${namespace}/${pod.metadata.name}`;
    if (this.terminatingReads > 0) {
      this.terminating.set(key, this.terminatingReads);
      this.store.put({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(0).toISOString() } });
    } else {
      this.store.remove(this.store.resourceFor('v1', 'Pod'), namespace, pod.metadata.name);
    }
    send(res, 201, status(201, '', ''));
  }

  private watch(route: Route, q: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const write = (type: string, object: unknown): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const from = Number(q.get('resourceVersion') ?? '0');
    if (from > 0 && from < this.compactedBelow) {
      write('ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`));
      res.end();
      return;
    }
    const relevant = (e: StoreEvent): boolean =>
      e.resource === route.resource &&
      matches(e.object, route.namespace, q.get('labelSelector'), q.get('fieldSelector'));
    // Replay what happened since the client's resourceVersion, as the API does from its watch cache.
    for (const event of this.store.history) {
      if (event.resourceVersion > from && relevant(event)) write(event.type, event.object);
    }
    const unsubscribe = this.store.onChange((event) => {
      if (relevant(event)) write(event.type, event.object);
    });
    const open: OpenWatch = {
      response: res,
      close: () => {
        unsubscribe();
        this.openWatches.delete(open);
        res.end();
      },
    };
    this.openWatches.add(open);
    res.on('close', () => {
      unsubscribe();
      this.openWatches.delete(open);
    });
  }
}
