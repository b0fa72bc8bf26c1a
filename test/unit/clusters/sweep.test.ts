import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepRunObjects } from '../../../clusters/sweep.ts';

const RUN = '20260825-101530-a1b2';
const SELECTOR = `app.kubernetes.io/managed-by=ambient-upgrade-suite,ambient-upgrade-suite/run-id=${RUN}`;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Answers lists only for the run's label selector; records every request as `METHOD path`. */
async function fakeApi(): Promise<{ kubeconfig: KubeConfig; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET') {
      const ours = url.searchParams.get('labelSelector') === SELECTOR;
      if (url.pathname === '/apis/sailoperator.io/v1/ztunnels')
        return json(404, { kind: 'Status', code: 404 });
      if (url.pathname === '/apis/sailoperator.io/v1/istios') {
        return json(200, { items: ours ? [{ metadata: { name: 'default' } }] : [] });
      }
      if (url.pathname.startsWith('/apis/sailoperator.io/v1/')) return json(200, { items: [] });
      if (url.pathname === '/api/v1/namespaces') {
        return json(200, {
          apiVersion: 'v1',
          kind: 'NamespaceList',
          metadata: {},
          items: ours
            ? [
                { metadata: { name: 'bookinfo' } },
                { metadata: { name: 'istio-system' } },
                { metadata: { name: 'default' } },
              ]
            : [],
        });
      }
      // Inside the protected `default` namespace: one labelled Deployment and ServiceAccount, nothing else.
      if (url.pathname === '/apis/apps/v1/namespaces/default/deployments') {
        return json(200, {
          kind: 'DeploymentList',
          items: ours ? [{ metadata: { name: 'curl-probe' } }] : [],
        });
      }
      if (url.pathname === '/api/v1/namespaces/default/serviceaccounts') {
        return json(200, { kind: 'ServiceAccountList', items: ours ? [{ metadata: { name: 'curl' } }] : [] });
      }
      if (
        url.pathname.startsWith('/api/v1/namespaces/default/') ||
        url.pathname.startsWith('/apis/policy/v1/namespaces/default/')
      ) {
        return json(200, { items: [] });
      }
    }
    if (req.method === 'DELETE') return json(200, { kind: 'Status', status: 'Success' });
    return json(404, { kind: 'Status', code: 404 });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { kubeconfig, requests };
}

describe('sweepRunObjects', () => {
  it("deletes only the run's labelled Sail resources, then its namespaces, skipping kinds not installed", async () => {
    const { kubeconfig, requests } = await fakeApi();
    const deleted = await sweepRunObjects(kubeconfig, RUN);
    expect(deleted).toEqual([
      'istios/default',
      'namespaces/bookinfo',
      'namespaces/istio-system',
      'default/deployments/curl-probe',
      'default/serviceaccounts/curl',
    ]);
    // `default` is labelled by the suite but never deleted: only the suite's objects inside it are.
    expect(requests.filter((r) => r.startsWith('DELETE'))).toEqual([
      'DELETE /apis/sailoperator.io/v1/istios/default',
      'DELETE /api/v1/namespaces/bookinfo',
      'DELETE /api/v1/namespaces/istio-system',
      'DELETE /apis/apps/v1/namespaces/default/deployments/curl-probe',
      'DELETE /api/v1/namespaces/default/serviceaccounts/curl',
    ]);
  });
});
