import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertClusterAllowed,
  resolveKubeconfig,
  safeServer,
} from '../../../clusters/existing/kubeconfig.ts';
import { NO_FACTS } from '../../../clusters/facts.ts';
import { checkExistingPrerequisites, MISSING, PrerequisiteError } from '../../../clusters/prerequisites.ts';
import { UserError } from '../../../helpers/errors.ts';
import { createStandInBin, type StandInBin } from '../../support/stand-in-bin.ts';

const TOKEN = 'sha256~SECRET-TOKEN-do-not-print-0123456789';

/** A kubeconfig with two contexts and a bearer token, as `oc login` writes one. */
function kubeconfigYaml(server: string): string {
  return `apiVersion: v1
kind: Config
current-context: prod-admin
clusters:
  - name: prod
    cluster: { server: ${JSON.stringify(server)}, insecure-skip-tls-verify: true }
contexts:
  - name: prod-admin
    context: { cluster: prod, user: admin }
  - name: lab
    context: { cluster: prod, user: admin }
users:
  - name: admin
    user: { token: ${TOKEN} }
`;
}

let dir: string;
let bin: StandInBin | undefined;
let server: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aus-kc-'));
});
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function writeKubeconfig(serverUrl: string): Promise<string> {
  const path = join(dir, 'kubeconfig');
  await writeFile(path, kubeconfigYaml(serverUrl));
  return path;
}

const READY_WORKER = {
  metadata: { name: 'worker-1', labels: {} },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};

/**
 * An API server that answers /version, /apis and the node list (or what `answers` overrides, by path), and
 * records the Authorization header it got.
 */
async function fakeApi(
  answers: Record<string, { status: number; body: unknown }> = {},
): Promise<{ url: string; auth: string[]; paths: string[] }> {
  const auth: string[] = [];
  const paths: string[] = [];
  const normal: Record<string, { status: number; body: unknown }> = {
    '/version': { status: 200, body: { major: '1', minor: '35', gitVersion: 'v1.35.0' } },
    '/apis': { status: 200, body: { kind: 'APIGroupList', groups: [{ name: 'apps' }] } },
    '/api/v1/nodes': { status: 200, body: { kind: 'NodeList', items: [READY_WORKER] } },
  };
  server = createServer((req, res) => {
    auth.push(String(req.headers.authorization));
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    paths.push(`${req.method} ${path}`);
    const answer = answers[path] ?? normal[path] ?? { status: 404, body: { kind: 'Status', code: 404 } };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth, paths };
}

describe('existing cluster kubeconfig', () => {
  it('resolves the current context, or the one named, and prints the server without credentials', async () => {
    const path = await writeKubeconfig('https://admin:pw@api.prod.example:6443/?token=x');
    expect(resolveKubeconfig(path, undefined)).toMatchObject({
      context: 'prod-admin',
      server: 'https://api.prod.example:6443',
    });
    expect(resolveKubeconfig(path, 'lab').context).toBe('lab');
    expect(safeServer('https://u:p@h:1/path?q=1')).toBe('https://h:1/path');
  });

  it('fails in one line on a missing file or unknown context', async () => {
    expect(() => resolveKubeconfig(join(dir, 'nope'), undefined)).toThrow(
      /kubeconfig .*nope not found — pass --kubeconfig/,
    );
    const path = await writeKubeconfig('https://api.example:6443');
    expect(() => resolveKubeconfig(path, 'staging')).toThrow(/context "staging" not found.*prod-admin, lab/);
  });

  it('refuses a context not named by --allow-cluster, naming the context and the flag', () => {
    expect(() => assertClusterAllowed('prod-admin', undefined)).toThrow(UserError);
    expect(() => assertClusterAllowed('prod-admin', undefined)).toThrow(
      'refusing to modify existing cluster context "prod-admin" — pass --allow-cluster prod-admin',
    );
    expect(() => assertClusterAllowed('prod-admin', 'lab')).toThrow(
      /"lab" does not match the resolved context "prod-admin"/,
    );
    expect(() => assertClusterAllowed('lab', 'lab')).not.toThrow();
  });
});

describe('existing cluster prerequisites', () => {
  it('refuse before any request when --allow-cluster does not name the context', async () => {
    const api = await fakeApi();
    const path = await writeKubeconfig(api.url);
    await expect(
      checkExistingPrerequisites(
        { kubeconfigPath: path, context: undefined, allowCluster: undefined },
        { env: { PATH: dir } },
      ),
    ).rejects.toThrow(/refusing to modify existing cluster context "prod-admin"/);
    expect(api.auth).toEqual([]);
  });

  it('pass when the API answers with the kubeconfig credentials and helm is on PATH', async () => {
    const api = await fakeApi();
    const path = await writeKubeconfig(api.url);
    bin = await createStandInBin({ helm: [] });
    const result = await checkExistingPrerequisites(
      { kubeconfigPath: path, context: undefined, allowCluster: 'prod-admin' },
      { env: bin.env(), detect: async () => NO_FACTS },
    );
    expect(result.resolved.context).toBe('prod-admin');
    expect(new Set(api.auth)).toEqual(new Set([`Bearer ${TOKEN}`]));
    expect(api.paths).toEqual(['GET /version', 'GET /apis', 'GET /api/v1/nodes']);
  });

  it('skip the helm requirement when the operator came through OLM', async () => {
    const api = await fakeApi();
    const path = await writeKubeconfig(api.url);
    const facts = {
      openshift: true,
      operatorPreinstalled: {
        via: 'olm',
        namespace: 'openshift-operators',
        name: 'sailoperator',
        package: 'sailoperator',
        deployment: 'sail-operator',
      },
    } as const;
    const result = await checkExistingPrerequisites(
      { kubeconfigPath: path, context: undefined, allowCluster: 'prod-admin' },
      { env: { PATH: dir }, detect: async () => facts },
    );
    expect(result.facts).toEqual(facts);
  });

  it('report an API that does not answer and a missing helm together, without the token', async () => {
    // A port nothing listens on: take one from a server, then close it.
    const api = await fakeApi();
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const path = await writeKubeconfig(api.url);
    const error = await checkExistingPrerequisites(
      { kubeconfigPath: path, context: undefined, allowCluster: 'prod-admin' },
      { env: { PATH: dir }, detect: async () => NO_FACTS },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    const problems = (error as PrerequisiteError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /API server of context "prod-admin" .* did not answer: ECONNREFUSED — check the cluster/,
    );
    expect(problems[1]).toBe(MISSING.helm);
    expect((error as Error).message).not.toContain(TOKEN);
  });
});

describe('existing cluster errors: one line, exit 2, under 5 s, nothing written', () => {
  async function refusal(path: string, allowCluster = 'prod-admin'): Promise<PrerequisiteError> {
    const started = Date.now();
    const error = await checkExistingPrerequisites(
      { kubeconfigPath: path, context: undefined, allowCluster },
      { env: { PATH: dir }, detect: async () => NO_FACTS },
    ).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(PrerequisiteError);
    const refused = error as PrerequisiteError;
    expect(refused.exitCode).toBe(2);
    expect(refused.problems[0]).not.toContain('\n');
    expect(refused.message).not.toContain(TOKEN);
    return refused;
  }

  it('an API that answers /version but refuses /apis', async () => {
    const api = await fakeApi({ '/apis': { status: 503, body: { kind: 'Status', code: 503 } } });
    const error = await refusal(await writeKubeconfig(api.url));
    expect(error.problems[0]).toMatch(
      /is not usable: \/version answers but API discovery \(\/apis\) does not: HTTP 503 — an aggregated API service may be down/,
    );
    expect(api.paths.every((p) => p.startsWith('GET '))).toBe(true);
  });

  it('a cluster with no Ready worker, before any other request', async () => {
    const notReady = {
      metadata: { name: 'worker-1', labels: {} },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    };
    const controlPlane = {
      metadata: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const api = await fakeApi({
      '/api/v1/nodes': { status: 200, body: { kind: 'NodeList', items: [notReady, controlPlane] } },
    });
    const error = await refusal(await writeKubeconfig(api.url));
    expect(error.problems[0]).toMatch(/has no Ready worker node \(2 node\(s\)/);
    expect(api.paths).toEqual(['GET /version', 'GET /apis', 'GET /api/v1/nodes']);
  });

  it('an http:// server such as kubectl proxy', async () => {
    const api = await fakeApi();
    const path = join(dir, 'proxy-kubeconfig');
    // What `kubectl proxy` users write: plain http, no TLS settings, no credentials.
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
current-context: prod-admin
clusters: [{ name: proxy, cluster: { server: "${api.url}" } }]
contexts: [{ name: prod-admin, context: { cluster: proxy, user: none } }]
users: [{ name: none, user: {} }]
`,
    );
    const error = await refusal(path);
    expect(error.problems[0]).toMatch(
      /is plain http:\/\/127\.0\.0\.1:\d+ \(kubectl proxy\?\).* — point the kubeconfig at the API server's https:\/\/ address/,
    );
    expect(error.problems[0]).not.toMatch(/credentials could not be loaded/);
    expect(api.paths).toEqual([]);
  });

  it('an empty kubeconfig', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, '\n');
    const started = Date.now();
    expect(() => resolveKubeconfig(path, undefined)).toThrow(
      new UserError(
        `kubeconfig ${path} is empty — pass --kubeconfig <file> with a cluster, a user and a context (e.g. after oc login or kind export kubeconfig)`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
