import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { checkNodeShape, nodeShape } from '../../../suites/node-shape.ts';

const node = (name: string, { controlPlane = false, ready = true } = {}): V1Node => ({
  metadata: { name, labels: controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('node shape', () => {
  it('counts Ready workers and control-plane nodes', () => {
    const shape = nodeShape([
      node('cp', { controlPlane: true }),
      node('w1'),
      node('w2'),
      node('w3', { ready: false }),
    ]);
    expect(shape).toEqual({ workers: 2, controlPlanes: 1 });
  });

  it('refuses fewer than two Ready workers with one line naming the fix', () => {
    expect(() => checkNodeShape({ workers: 1, controlPlanes: 1 }, ['inplace'])).toThrow(
      /1 Ready worker node\(s\).*--workers 2/,
    );
  });

  it('refuses ztunnel-node-drain on a cluster with several control-plane nodes, and only that scenario', () => {
    expect(() => checkNodeShape({ workers: 3, controlPlanes: 3 }, ['inplace', 'ztunnel-node-drain'])).toThrow(
      /this cluster has 3 — run it on kind, or leave it out/,
    );
    expect(() =>
      checkNodeShape({ workers: 3, controlPlanes: 3 }, ['inplace', 'ztunnel-rolling']),
    ).not.toThrow();
  });
});
