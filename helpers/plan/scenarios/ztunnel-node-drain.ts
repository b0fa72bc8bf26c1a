import { ISTIO_NAMESPACE, probeClient, ZTUNNEL_NAMESPACE } from '../../mesh/manifests/index.ts';
import { HA_REPLICAS, highlyAvailable } from '../high-availability.ts';
import { describeNode, pinToNode } from '../nodes.ts';
import { defineScenario } from '../scenario.ts';
import { StepList } from '../steps.ts';
import type { NodeRef } from '../types.ts';
import {
  ALLOWED_CLIENT,
  baseline,
  CONNECTIONS,
  CONTROL_PLANE_NODE,
  clientTarget,
  connectionPair,
  deployApps,
  ISTIO_NAME,
  installMesh,
  LOCAL_WAYPOINT,
  labelNodes,
  PRODUCTPAGE_URL,
  selectorOf,
  skewProbe,
  upgradeCni,
  upgradeControlPlaneInPlace,
  verify,
  workerNodes,
  ZTUNNEL_PODS,
  ZTUNNEL_REF,
  ztunnelsSynced,
} from './common.ts';

const TRAFFIC_CLIENT = {
  namespace: ALLOWED_CLIENT.namespace,
  serviceAccount: ALLOWED_CLIENT.serviceAccount,
  name: 'traffic-probe',
};
const SNAPSHOT_ZTUNNEL = 'ztunnel-before-bump';
/**
 * istiod's replicas here: one replica and no PDB (the documented install) would let a worker drain take the
 * control plane down with a waypoint replica; `autoscaleMin: 2` keeps two and renders istiod's PDB.
 */
const ISTIOD_REPLICAS = 2;

/**
 * ZTunnel `OnDelete`, upgraded node by node as the Sail and OSSM docs describe: bump the version (no pod may
 * change), then per node cordon, drain, delete the old ztunnel pod, wait for the new one, uncordon.
 *
 * Layout: one connection pair per worker with client and echo server on the same node, so draining a node
 * leaves the other pairs' paths untouched (the check: no reset there). The continuous bookinfo traffic runs from
 * a client pinned to the control-plane node, the one node drained last, after the traffic check; bookinfo and
 * the waypoint run two replicas with PDBs so a drain never takes them down.
 */
export const ztunnelNodeDrain = defineScenario({
  name: 'ztunnel-node-drain',
  description: 'ZTunnel OnDelete: version bump, then per node cordon, drain, replace ztunnel, uncordon',
  proves: [
    'no ztunnel pod is replaced before its node is drained and its pod deleted',
    'traffic to bookinfo keeps succeeding through the whole procedure',
    'workloads returning to a node use the new ztunnel version',
    'connections on nodes not being drained see no reset',
  ],
  deviations: [
    `istiod runs ${ISTIOD_REPLICAS} replicas (values.pilot.autoscaleMin: ${ISTIOD_REPLICAS}, which also renders its PodDisruptionBudget); the documented install runs 1 without a PDB`,
    `every bookinfo Deployment runs ${HA_REPLICAS} replicas spread over nodes, each behind a PodDisruptionBudget minAvailable 1; the sample runs 1`,
    `the waypoint runs ${HA_REPLICAS} replicas (Gateway infrastructure.parametersRef) behind a PodDisruptionBudget minAvailable 1; the default is 1`,
  ],
  strategy: 'InPlace',
  minWorkers: 2,
  steps(context) {
    const list = new StepList();
    const workers = workerNodes(context);
    labelNodes(list, [...workers, CONTROL_PLANE_NODE]);
    installMesh(list, context, {
      strategy: 'InPlace',
      tag: false,
      ztunnel: { updateStrategy: 'OnDelete' },
      istiodMinReplicas: ISTIOD_REPLICAS,
    });

    const pairs = workers.map((node) => connectionPair(context, `w${node.index}`, node, node));
    const trafficObjects = pinToNode(
      probeClient({ ...TRAFFIC_CLIENT, ...(context.runId === undefined ? {} : { runId: context.runId }) }),
      CONTROL_PLANE_NODE,
    );
    const trafficTarget = { namespace: TRAFFIC_CLIENT.namespace, selector: selectorOf(trafficObjects) };
    deployApps(list, context, {
      waypoint: LOCAL_WAYPOINT,
      transform: highlyAvailable,
      extra: {
        namespaces: [CONNECTIONS],
        objects: [...pairs.flatMap((pair) => pair.objects), ...trafficObjects],
        podWaits: [
          ...pairs.flatMap((pair) => pair.waits),
          {
            name: `wait for ${TRAFFIC_CLIENT.namespace}/${TRAFFIC_CLIENT.name} to be Ready`,
            target: trafficTarget,
            min: 1,
          },
        ],
      },
    });
    // Drains evict application pods, so their identity is not compared afterwards.
    baseline(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, snapshot: false });

    list.inPhase('upgrade');
    upgradeControlPlaneInPlace(list, context, LOCAL_WAYPOINT, { istiodMinReplicas: ISTIOD_REPLICAS });
    upgradeCni(list, context);
    list.probe('record the ztunnel pods before the version bump', {
      kind: 'pod-snapshot',
      snapshot: SNAPSHOT_ZTUNNEL,
      namespaces: [ZTUNNEL_NAMESPACE],
      selector: ZTUNNEL_PODS.selector,
    });
    list.probe('start traffic to bookinfo from the control-plane node', {
      kind: 'traffic-start',
      label: 'node-drain',
      client: { ...trafficTarget, node: CONTROL_PLANE_NODE },
      url: PRODUCTPAGE_URL,
      perSecond: 5,
    });
    list.upgrade(
      `set ZTunnel to ${context.toSail} (OnDelete: no pod changes yet)`,
      ZTUNNEL_REF,
      context.toSail,
    );
    list.wait(
      `wait for ZTunnel ${context.toSail} to be reconciled`,
      { kind: 'sail-ready', target: ZTUNNEL_REF, version: context.toSail },
      context.timeouts.sailReady,
    );
    list.probe('check no ztunnel pod was replaced by the version bump', {
      kind: 'pods-unchanged',
      snapshot: SNAPSHOT_ZTUNNEL,
    });

    for (const node of workers) {
      const others = pairs.filter((_, index) => index !== node.index);
      const label = `drain-worker-${node.index}`;
      if (others.length > 0) {
        list.probe(`start connections on the nodes other than ${describeNode(node)}`, {
          kind: 'connections-start',
          label,
          pairs: others.map((pair) => pair.pair),
          count: 10,
          intervalMs: 1_000,
          newPerSecond: 2,
          plannedLifeMs: null,
          durationMs: context.timeouts.drainNode + context.timeouts.podsReady,
        });
      }
      drainNode(list, context, node);
      const mine = pairs[node.index];
      for (const wait of mine?.waits ?? []) {
        list.wait(
          `${wait.name} again on ${describeNode(node)}`,
          { kind: 'pods-ready', ...wait.target, min: wait.min },
          context.timeouts.podsReady,
        );
      }
      list.probe(`check the new ztunnel on ${describeNode(node)} serves its workloads (workloadState Up)`, {
        kind: 'node-ztunnel',
        node,
        version: context.toSail,
        timeoutMs: context.timeouts.converge,
      });
      if (others.length > 0) {
        list.probe(
          `check connections on the other nodes saw no reset during the drain of ${describeNode(node)}`,
          {
            kind: 'connections-check',
            label,
            mode: 'node-drain',
            terminationGracePeriodSeconds: 30,
            plannedEndsClean: false,
          },
        );
      }
    }
    list.probe('check traffic to bookinfo never failed while the workers were drained', {
      kind: 'traffic-check',
      label: 'node-drain',
    });
    drainNode(list, context, CONTROL_PLANE_NODE);
    list.wait(
      `wait for every ztunnel pod to run ${context.toSail}`,
      {
        kind: 'daemonset-rolled-out',
        namespace: ZTUNNEL_NAMESPACE,
        name: 'ztunnel',
        version: context.toSail,
      },
      context.timeouts.daemonSetRollout,
    );
    ztunnelsSynced(list, context, ISTIO_NAME, context.toSail);
    skewProbe(list);
    list.wait(
      'wait for the bookinfo pods to be Ready after the drains',
      { kind: 'pods-ready', namespace: 'bookinfo', selector: 'app', min: 6 },
      context.timeouts.podsReady,
    );
    list.wait(
      `wait for ${ALLOWED_CLIENT.namespace}/${ALLOWED_CLIENT.name} to be Ready after the drains`,
      { kind: 'pods-ready', ...clientTarget(context, ALLOWED_CLIENT), min: 1 },
      context.timeouts.podsReady,
    );
    verify(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, podsUnchanged: false });
    return list.steps;
  },
});

/** One node of the procedure, then what a drain may have taken away: istiod's replicas and the cluster DNS. */
function drainNode(
  list: StepList,
  context: Parameters<typeof ztunnelNodeDrain.steps>[0],
  node: NodeRef,
): void {
  list.drain(
    `drain ${describeNode(node)}, replace its ztunnel pod with ${context.toSail}, uncordon`,
    node,
    { ...ZTUNNEL_PODS, fromVersion: context.fromSail, toVersion: context.toSail },
    context.timeouts.drainNode,
  );
  // CoreDNS usually sits on the control-plane node (kind): every name lookup fails until it is back.
  list.wait(
    `wait for the cluster DNS to be Available after the drain of ${describeNode(node)}`,
    { kind: 'cluster-dns-available' },
    context.timeouts.podsReady,
  );
  list.wait(
    `wait for istiod to run ${ISTIOD_REPLICAS} replicas again after the drain of ${describeNode(node)}`,
    {
      kind: 'istiod-rolled-out',
      namespace: ISTIO_NAMESPACE,
      revision: ISTIO_NAME,
      version: context.toSail,
      minReplicas: ISTIOD_REPLICAS,
    },
    context.timeouts.istiodRollout,
  );
}
