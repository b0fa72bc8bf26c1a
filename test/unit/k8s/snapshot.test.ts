import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { comparePodSnapshots, type PodSnapshot, snapshotOf } from '../../../helpers/k8s/snapshot.ts';

function snap(name: string, over: Partial<PodSnapshot> = {}): PodSnapshot {
  return {
    namespace: 'ns',
    name,
    uid: `${name}-uid`,
    node: 'n1',
    restartCounts: { app: 0 },
    startTime: undefined,
    labels: {},
    owner: undefined,
    templateHash: undefined,
    ...over,
  };
}

describe('snapshotOf', () => {
  it('reports a ReplicaSet-owned pod as its Deployment with the template hash', () => {
    const pod: V1Pod = {
      metadata: {
        name: 'web-5d8f-abcde',
        namespace: 'ns',
        uid: 'u1',
        labels: { app: 'web', 'pod-template-hash': '5d8f' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs', controller: true },
        ],
      },
      spec: { nodeName: 'n1', containers: [] },
      status: {
        startTime: new Date('2025-01-01T00:00:00Z'),
        containerStatuses: [{ name: 'app', restartCount: 2, ready: true, image: 'i', imageID: 'i' }],
        initContainerStatuses: [{ name: 'setup', restartCount: 0, ready: true, image: 'i', imageID: 'i' }],
      },
    };
    expect(snapshotOf(pod)).toEqual({
      namespace: 'ns',
      name: 'web-5d8f-abcde',
      uid: 'u1',
      node: 'n1',
      restartCounts: { app: 2, 'init:setup': 0 },
      startTime: '2025-01-01T00:00:00.000Z',
      labels: { app: 'web', 'pod-template-hash': '5d8f' },
      owner: { kind: 'Deployment', name: 'web' },
      templateHash: '5d8f',
    });
  });
});

describe('comparePodSnapshots', () => {
  it('reports nothing for identical snapshots', () => {
    expect(comparePodSnapshots([snap('a')], [snap('a')])).toEqual([]);
  });

  it('reports a same-name pod with a new UID as recreated, and a node change as moved', () => {
    const changes = comparePodSnapshots([snap('db-0')], [snap('db-0', { uid: 'new', node: 'n2' })]);
    expect(changes.map((c) => c.type)).toEqual(['recreated', 'moved']);
    expect(changes[0]).toMatchObject({ matchedBy: 'name' });
    expect(changes[1]).toMatchObject({ from: 'n1', to: 'n2' });
  });

  it('reports restarts per container when the count went up', () => {
    const changes = comparePodSnapshots([snap('a')], [snap('a', { restartCounts: { app: 2 } })]);
    expect(changes).toEqual([
      expect.objectContaining({ type: 'restarted', containers: [{ name: 'app', before: 0, after: 2 }] }),
    ]);
  });

  it('matches renamed Deployment pods by owner and template hash, then by owner across a rollout', () => {
    const owner = { kind: 'Deployment', name: 'web' };
    const before = [
      snap('web-h1-a', { owner, templateHash: 'h1' }),
      snap('web-h1-b', { owner, templateHash: 'h1' }),
    ];
    const after = [
      snap('web-h1-c', { owner, templateHash: 'h1' }),
      snap('web-h2-d', { owner, templateHash: 'h2' }),
    ];
    const changes = comparePodSnapshots(before, after);
    expect(
      changes.map((c) =>
        c.type === 'recreated' ? `${c.before.name}->${c.after.name} ${c.matchedBy}` : c.type,
      ),
    ).toEqual(['web-h1-a->web-h1-c owner-template-hash', 'web-h1-b->web-h2-d owner']);
  });

  it('matches renamed DaemonSet pods by owner and node', () => {
    const owner = { kind: 'DaemonSet', name: 'agent' };
    const before = [snap('agent-x', { owner, node: 'n1' }), snap('agent-y', { owner, node: 'n2' })];
    const after = [snap('agent-q', { owner, node: 'n2' }), snap('agent-p', { owner, node: 'n1' })];
    const changes = comparePodSnapshots(before, after);
    expect(
      changes.map((c) => (c.type === 'recreated' ? `${c.before.name}->${c.after.name}` : c.type)),
    ).toEqual(['agent-x->agent-p', 'agent-y->agent-q']);
  });

  it('reports unmatched pods as removed and added', () => {
    const changes = comparePodSnapshots([snap('old')], [snap('new')]);
    expect(changes).toEqual([
      { type: 'removed', before: snap('old') },
      { type: 'added', after: snap('new') },
    ]);
  });
});
