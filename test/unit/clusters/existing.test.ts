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

/** An API server that answers /version only, and records the Authorization header it got. */
async function fakeApi(): Promise<{ url: string; auth: string[] }> {
  const auth: string[] = [];
  server = createServer((req, res) => {
    auth.push(String(req.headers.authorization));
    res.writeHead(req.url === '/version' ? 200 : 404, { 'content-type': 'application/json' });
    res.end('{"major":"1","minor":"35"}');
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth };
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
    expect(api.auth).toEqual([`Bearer ${TOKEN}`]);
  });

  it('skip the helm requirement when the operator came through OLM', async () => {
    const api = await fakeApi();
    const path = await writeKubeconfig(api.url);
    const facts = {
      openshift: true,
      operatorPreinstalled: { via: 'olm', namespace: 'openshift-operators', name: 'sailoperator' },
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
