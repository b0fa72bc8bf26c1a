import { request } from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { forwardPort, isPodReady, pickReadyPod, readyPodFor } from '../../../helpers/k8s/port-forward.ts';
import { FakeApiServer, type StoredObject } from '../../support/fake-apiserver.ts';

function pod(name: string, ready: boolean, extra: Record<string, unknown> = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istiod' }, ...extra },
    spec: { containers: [{ name: 'discovery', image: 'x' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pod choice', () => {
  it('picks the first Ready, running, not terminating pod by name', () => {
    const pods = [
      pod('c', true),
      pod('a', false),
      pod('b', true),
      pod('0', true, { deletionTimestamp: 'x' }),
    ];
    expect(pickReadyPod(pods as V1Pod[])?.metadata?.name).toBe('b');
    expect(isPodReady(pod('a', false) as V1Pod)).toBe(false);
    expect(pickReadyPod([pod('a', false)] as V1Pod[])).toBeUndefined();
  });
});

describe('forwardPort', () => {
  let fake: FakeApiServer;
  let kube: Kube;
  beforeEach(async () => {
    fake = await FakeApiServer.start();
    kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('finds the Ready pod behind a Service selector (fake API server)', async () => {
    fake.put(pod('istiod-1', false));
    fake.put(pod('istiod-2', true));
    fake.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istiod', namespace: 'istio-system' },
      spec: { selector: { app: 'istiod' } },
    });
    const chosen = await readyPodFor(kube, { namespace: 'istio-system', service: 'istiod' });
    expect(chosen.metadata?.name).toBe('istiod-2');
    await expect(readyPodFor(kube, { namespace: 'istio-system', labelSelector: 'app=none' })).rejects.toThrow(
      'no Ready pod in istio-system matching app=none; pods seen: none',
    );
  });

  it('serves an HTTP request through the forwarded port (fake API server)', async () => {
    const seen: string[] = [];
    fake.streams.portForward = (call) => {
      let received = '';
      return (data) => {
        received += data.toString();
        if (!received.includes('\r\n\r\n')) return;
        seen.push(`${call.pod}:${call.port} ${received.split('\r\n')[0]}`);
        const body = '{"synced":true}';
        call.send(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      };
    };
    const forward = await forwardPort(kube, { namespace: 'istio-system', pod: 'istiod-2', port: 15014 });
    try {
      expect(await get(forward.localPort, '/debug/syncz')).toBe('{"synced":true}');
      expect(await get(forward.localPort, '/debug/syncz?again')).toBe('{"synced":true}');
      expect(seen).toEqual([
        'istiod-2:15014 GET /debug/syncz HTTP/1.1',
        'istiod-2:15014 GET /debug/syncz?again HTTP/1.1',
      ]);
    } finally {
      await forward.close();
    }
  });

  it('closes the local connection and keeps the error channel text (fake API server)', async () => {
    fake.streams.portForward = (call) => () =>
      call.error('error forwarding port 15014 to pod x: connection refused');
    const forward = await forwardPort(kube, { namespace: 'istio-system', pod: 'istiod-2', port: 15014 });
    try {
      await expect(get(forward.localPort, '/')).rejects.toThrow();
      expect(forward.errors).toEqual([
        'istio-system/istiod-2:15014: error forwarding port 15014 to pod x: connection refused',
      ]);
    } finally {
      await forward.close();
    }
  });
});
