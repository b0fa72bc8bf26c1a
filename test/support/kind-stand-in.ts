import type { FakeApiServer } from './fake-apiserver.ts';
import type { StandInRule } from './stand-in-bin.ts';

/** Registers `count` nodes (one control plane, the rest workers) with the given Ready status. */
export function seedNodes(api: FakeApiServer, count: number, ready: 'True' | 'False' = 'True'): void {
  for (let i = 0; i < count; i++) {
    const name = i === 0 ? 'aus-control-plane' : `aus-worker${i === 1 ? '' : i}`;
    api.put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {},
      },
      status: {
        conditions: [
          ready === 'True'
            ? { type: 'Ready', status: 'True', reason: 'KubeletReady' }
            : {
                type: 'Ready',
                status: 'False',
                reason: 'KubeletNotReady',
                message: 'container runtime network not ready: cni plugin not initialized',
              },
        ],
      },
    });
  }
}

/** A stand-in kind whose `create cluster` writes a kubeconfig for `api` where `--kubeconfig` says, as kind does. */
export function kindCreatingCluster(api: FakeApiServer, extra: readonly StandInRule[] = []): StandInRule[] {
  return [
    ...extra,
    { match: ['get', 'clusters'], stdout: '' },
    { match: ['create', 'cluster'], writeFile: { afterFlag: '--kubeconfig', content: api.kubeconfig() } },
  ];
}
