import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { highlyAvailable } from '../../../helpers/plan/high-availability.ts';
import { NODE_LABEL, nodeLabelSteps, pinToNode } from '../../../helpers/plan/nodes.ts';
import { StepList, slug } from '../../../helpers/plan/steps.ts';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'echo', namespace: 'connections' },
  spec: {
    selector: { matchLabels: { app: 'echo' } },
    template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
  },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'echo', namespace: 'connections' },
};

describe('node pinning', () => {
  it('pins Deployments to a symbolic node by label, leaving other objects and the input alone', () => {
    const [pinned, svc] = pinToNode([deployment, service], { role: 'worker', index: 1 });
    expect(pinned?.spec).toMatchObject({
      template: { spec: { nodeSelector: { [NODE_LABEL]: 'worker-1' } } },
    });
    expect(JSON.stringify(pinned)).not.toContain('tolerations');
    expect(svc).toBe(service);
    expect(JSON.stringify(deployment)).not.toContain(NODE_LABEL);
  });

  it('lets pods pinned to the control plane tolerate its taint', () => {
    const [pinned] = pinToNode([deployment], { role: 'control-plane', index: 0 });
    expect(pinned?.spec).toMatchObject({
      template: {
        spec: {
          tolerations: [
            { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
          ],
        },
      },
    });
  });

  it('labels every referenced node with its symbolic name', () => {
    expect(nodeLabelSteps([{ role: 'worker', index: 0 }]).map((step) => step.labels)).toEqual([
      { [NODE_LABEL]: 'worker-0' },
    ]);
  });
});

describe('highlyAvailable', () => {
  it('gives Deployments two spread replicas and a PDB, and waypoints replicas through parametersRef', () => {
    const gateway: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'bookinfo' },
      spec: { gatewayClassName: 'istio-waypoint' },
    };
    const out = highlyAvailable([deployment, gateway]);
    expect(out.map((o) => o.kind)).toEqual([
      'Deployment',
      'PodDisruptionBudget',
      'ConfigMap',
      'Gateway',
      'PodDisruptionBudget',
    ]);
    expect(out[0]?.spec).toMatchObject({ replicas: 2 });
    expect(out[1]?.spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'echo' } } });
    expect(out[3]?.spec).toMatchObject({
      infrastructure: { parametersRef: { group: '', kind: 'ConfigMap', name: 'waypoint-ha' } },
    });
    expect(out[2]?.data).toMatchObject({ deployment: expect.stringContaining('replicas: 2') });
    expect(out[4]?.spec).toMatchObject({
      selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
    });
  });
});

describe('StepList', () => {
  it('numbers steps and names apply files after them, dropping duplicate objects', () => {
    const list = new StepList()
      .label('a', { node: { role: 'worker', index: 0 } }, { x: 'y' })
      .apply('Install Istio at v1.30.3!', [service, service]);
    expect(list.steps.map((step) => step.id)).toEqual(['010', '020']);
    const apply = list.steps[1];
    expect(apply?.action === 'apply' && apply.file).toBe('020-install-istio-at-v1-30-3.yaml');
    expect(apply?.action === 'apply' && apply.objects).toHaveLength(1);
    expect(slug('x'.repeat(80))).toHaveLength(60);
  });
});
