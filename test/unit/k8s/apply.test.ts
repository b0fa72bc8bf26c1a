import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyAll, applyObject, fieldManager } from '../../../helpers/k8s/apply.ts';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { instantClock } from '../../support/fake-api-clock.ts';
import { FakeApiServer, fakeToken } from '../../support/fake-apiserver.ts';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'demo', labels: { app: 'web' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, futureField: { kept: true } },
};

const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    ],
  },
};

let fake: FakeApiServer;
let kube: Kube;
beforeEach(async () => {
  fake = await FakeApiServer.start();
  kube = connect({ kubeconfigPath: fake.kubeconfigPath });
});
afterEach(async () => {
  await fake.close();
});

const patches = (path: string) => fake.requestsTo('PATCH', path);

describe('applyObject', () => {
  it('sends a server-side apply patch with the suite field manager and force (fake API server)', async () => {
    const applied = await applyObject(kube, deployment);
    const [request] = patches('/apis/apps/v1/namespaces/demo/deployments/web');
    expect(request?.contentType).toBe('application/apply-patch+yaml');
    expect(request?.query.get('fieldManager')).toBe(fieldManager);
    expect(fieldManager).toBe('ambient-upgrade-suite');
    expect(request?.query.get('force')).toBe('true');
    // The body is the object itself: nothing dropped, not even fields client-node's models do not know.
    expect(JSON.parse(request?.body ?? '')).toEqual(deployment);
    expect(applied.metadata.uid).toMatch(/^uid-/);
  });

  it('applies a cluster-scoped CRD and keeps x-kubernetes-* schema fields (fake API server)', async () => {
    await applyObject(kube, crd);
    const [request] = patches('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect(request).toBeDefined();
    expect(request?.body).toContain('"x-kubernetes-preserve-unknown-fields":true');
    const widget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { a: 1 },
    };
    await applyObject(kube, widget);
    expect(patches('/apis/example.com/v1/widgets/w')).toHaveLength(1);
  });

  it('retries a 409 conflict and then succeeds (fake API server)', async () => {
    fake.fail({ method: 'PATCH', status: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict' });
    const clock = instantClock();
    const applied = await applyObject(kube, deployment, { clock });
    expect(applied.metadata.name).toBe('web');
    expect(patches('/apis/apps/v1/namespaces/demo/deployments/web')).toHaveLength(2);
    expect(clock.slept).toHaveLength(1);
  });

  it('honours Retry-After on 429 (fake API server)', async () => {
    fake.fail({ method: 'PATCH', status: 429, reason: 'TooManyRequests', headers: { 'Retry-After': '3' } });
    const clock = instantClock();
    await applyObject(kube, deployment, { clock });
    expect(clock.slept).toEqual([3_000]);
  });

  it('retries 500s and a connection reset with growing backoff (fake API server)', async () => {
    fake.fail({ method: 'PATCH', status: 500, reason: 'InternalError' });
    fake.fail({ method: 'PATCH', reset: true });
    const clock = instantClock();
    await applyObject(kube, deployment, { clock });
    expect(patches('/apis/apps/v1/namespaces/demo/deployments/web')).toHaveLength(3);
    expect(clock.slept).toEqual([250, 500]);
  });

  it('gives up after the bounded number of attempts and says so (fake API server)', async () => {
    fake.fail({
      method: 'PATCH',
      status: 503,
      reason: 'ServiceUnavailable',
      message: 'etcd down',
      times: 100,
    });
    const error = await applyObject(kube, deployment, { clock: instantClock() }).catch((e: unknown) => e);
    expect(String(error)).toContain('apply Deployment demo/web (6 attempts, last: server error) failed');
    expect(String(error)).toContain('HTTP 503 ServiceUnavailable: etcd down');
    expect(patches('/apis/apps/v1/namespaces/demo/deployments/web')).toHaveLength(6);
  });

  it('does not retry a 422 and reports the object and the API message on one line (fake API server)', async () => {
    fake.fail({
      method: 'PATCH',
      status: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
      times: 5,
    });
    const error = await applyObject(kube, deployment, { clock: instantClock() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toBe(
      'apply Deployment demo/web failed: HTTP 422 Invalid: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
    );
    expect(message).not.toContain(fakeToken);
    expect(patches('/apis/apps/v1/namespaces/demo/deployments/web')).toHaveLength(1);
  });
});

describe('applyAll', () => {
  it('applies in order and returns the stored objects (fake API server)', async () => {
    const applied = await applyAll(kube, [crd, deployment]);
    expect(applied.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'Deployment']);
    const order = fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.path);
    expect(order).toEqual([
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com',
      '/apis/apps/v1/namespaces/demo/deployments/web',
    ]);
  });
});
