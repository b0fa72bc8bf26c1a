import type { CoreV1Event } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { collectEvidence } from '../../../helpers/k8s/evidence.ts';
import { formatEvent, recentEvents, sortEvents, tailLogs } from '../../../helpers/k8s/logs-events.ts';
import { FakeApiServer } from '../../support/fake-apiserver.ts';

const event = (name: string, at: string, extra: Partial<CoreV1Event> = {}): CoreV1Event => ({
  metadata: { name, namespace: 'demo' },
  involvedObject: { kind: 'Pod', namespace: 'demo', name: 'web-1' },
  reason: 'BackOff',
  type: 'Warning',
  message: `message of ${name}`,
  lastTimestamp: new Date(at),
  ...extra,
});

describe('events', () => {
  it('sorts by lastTimestamp and formats one line each', () => {
    const sorted = sortEvents([
      event('late', '2025-01-01T00:00:10Z'),
      event('early', '2025-01-01T00:00:01Z', { count: 3 }),
    ]);
    expect(sorted.map(formatEvent)).toEqual([
      '2025-01-01T00:00:01.000Z Warning BackOff Pod/demo/web-1: message of early (x3)',
      '2025-01-01T00:00:10.000Z Warning BackOff Pod/demo/web-1: message of late',
    ]);
  });
});

describe('logs, events and evidence', () => {
  let fake: FakeApiServer;
  let kube: Kube;
  beforeEach(async () => {
    fake = await FakeApiServer.start();
    kube = connect({ kubeconfigPath: fake.kubeconfigPath });
    fake.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' } },
      spec: {
        nodeName: 'w1',
        containers: [
          { name: 'app', image: 'x' },
          { name: 'sidecar', image: 'y' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 1, image: 'x', imageID: 'x' },
          { name: 'sidecar', ready: false, restartCount: 0, image: 'y', imageID: 'y' },
        ],
      },
    });
    fake.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'demo' },
      involvedObject: { kind: 'Pod', namespace: 'demo', name: 'web-1' },
      reason: 'Pulled',
      type: 'Normal',
      message: 'pulled with Bearer abc123',
      lastTimestamp: '2025-01-01T00:00:00Z',
    });
    fake.logs.set('demo/web-1/app', 'one\ntwo\nthree\n');
  });
  afterEach(async () => {
    await fake.close();
  });

  it('tails the last lines of a container log (fake API server)', async () => {
    expect(await tailLogs(kube, { namespace: 'demo', pod: 'web-1', container: 'app', tailLines: 2 })).toBe(
      'two\nthree\n',
    );
  });

  it('lists recent events of an object, redacted (fake API server)', async () => {
    expect(await recentEvents(kube, { namespace: 'demo', object: { kind: 'Pod', name: 'web-1' } })).toEqual([
      '2025-01-01T00:00:00.000Z Normal Pulled Pod/demo/web-1: pulled with Bearer [redacted]',
    ]);
    expect(fake.requests.at(-1)?.query.get('fieldSelector')).toBe(
      'involvedObject.kind=Pod,involvedObject.name=web-1',
    );
  });

  it('collects pods, events and logs, turning a failed part into an error item (fake API server)', async () => {
    fake.fail({
      path: '/api/v1/namespaces/demo/pods/web-1/log',
      status: 400,
      message: 'container sidecar is waiting',
      times: 1,
    });
    fake.fail({
      path: '/api/v1/namespaces/gone/pods',
      status: 403,
      reason: 'Forbidden',
      message: 'no access',
    });
    const items = await collectEvidence(kube, { namespaces: ['demo', 'gone'], tailLines: 50 });
    const byName = Object.fromEntries(items.map((i) => [i.name, i.body]));
    expect(byName['demo/pods.txt']).toBe('web-1 Running ready=1/2 restarts=1 node=w1\n');
    expect(byName['demo/events.txt']).toContain('Normal Pulled Pod/demo/web-1');
    expect(byName['demo/logs/web-1/app.error.txt']).toBe('HTTP 400 Scripted: container sidecar is waiting');
    expect(byName['demo/logs/web-1/sidecar.log']).toBe('');
    expect(byName['gone/pods.error.txt']).toBe('HTTP 403 Forbidden: no access');
    expect(items.every((i) => i.contentType === 'text/plain')).toBe(true);
  });
});
