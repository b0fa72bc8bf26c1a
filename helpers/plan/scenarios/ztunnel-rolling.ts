import { defineScenario, type ScenarioContext } from '../scenario.ts';
import { StepList } from '../steps.ts';
import {
  baseline,
  CONNECTIONS,
  connectionPair,
  DEFAULT_ZTUNNEL_GRACE_SECONDS,
  deployApps,
  installMesh,
  installZtunnel,
  LOCAL_WAYPOINT,
  LONG_ZTUNNEL_GRACE_SECONDS,
  labelNodes,
  skewProbe,
  upgradeCni,
  upgradeControlPlaneInPlace,
  upgradeZtunnelRolling,
  verify,
  workerNodes,
  ZTUNNEL_DAEMONSET,
  ZTUNNEL_REF,
} from './common.ts';

/** Long-lived connections held per round, echoing once a second, plus new connections alongside. */
const LONG_CONNECTIONS = 20;
const ECHO_INTERVAL_MS = 1_000;
const NEW_PER_SECOND = 5;
/**
 * Round 2: connections close themselves after 4 min. They open before the ZTunnel patch, so any old ztunnel that
 * gets SIGTERM within those 4 min (the whole rollout, normally) is still draining — its window is 295 s — when they
 * end: each ends its planned life inside a drain window, which the check requires of at least one.
 */
const LONG_GRACE_PLANNED_LIFE_MS = 240_000;

/**
 * One round: start the connections probe (client on worker 0, echo server on worker 1, so every connection
 * crosses two ztunnels), upgrade ZTunnel from → to with the grace under test, judge the connections.
 */
function round(
  list: StepList,
  context: ScenarioContext,
  label: string,
  grace: number,
  plannedLifeMs: number | null,
): void {
  const pair = connectionPair(
    context,
    'rolling',
    { role: 'worker', index: 0 },
    { role: 'worker', index: 1 },
  ).pair;
  list.probe(`start connections across workers 0 → 1 (${label})`, {
    kind: 'connections-start',
    label,
    pairs: [pair],
    count: LONG_CONNECTIONS,
    intervalMs: ECHO_INTERVAL_MS,
    newPerSecond: NEW_PER_SECOND,
    plannedLifeMs,
    durationMs:
      context.timeouts.sailReady + context.timeouts.daemonSetRollout + (context.workers + 1) * grace * 1000,
  });
  upgradeZtunnelRolling(list, context, grace);
  list.probe(`check no connection ended before the ztunnel drain deadline (${label})`, {
    kind: 'connections-check',
    label,
    mode: 'ztunnel-rollout',
    terminationGracePeriodSeconds: grace,
    plannedEndsClean: plannedLifeMs !== null,
  });
}

/**
 * RollingUpdate twice: round 1 with Sail's default grace (30 s), held connections; round 2 re-creates ZTunnel at
 * `from` with grace 300 s (so the old pods carry the long grace) and upgrades again, with connections whose
 * planned life ends inside the drain window. Re-creating (delete, wait gone, apply) rather than patching the
 * version back keeps both rounds a real from → to upgrade, and never rolls ztunnel backwards under traffic.
 */
export const ztunnelRolling = defineScenario({
  name: 'ztunnel-rolling',
  description:
    'ZTunnel RollingUpdate with the default and a 300 s grace period, connections probed across the rollout',
  proves: [
    'new connections keep succeeding throughout each ztunnel rollout',
    'no long-lived connection ends before the drain deadline of the ztunnel it crosses (grace − drain margin)',
    'with a 300 s grace, connections whose planned life ends inside the drain window end cleanly',
  ],
  strategy: 'InPlace',
  minWorkers: 2,
  steps(context) {
    const list = new StepList();
    labelNodes(list, workerNodes(context).slice(0, 2));
    installMesh(list, context, {
      strategy: 'InPlace',
      tag: false,
      ztunnel: { updateStrategy: 'RollingUpdate' },
    });
    const pair = connectionPair(
      context,
      'rolling',
      { role: 'worker', index: 0 },
      { role: 'worker', index: 1 },
    );
    deployApps(list, context, {
      waypoint: LOCAL_WAYPOINT,
      extra: { namespaces: [CONNECTIONS], objects: pair.objects, podWaits: pair.waits },
    });
    baseline(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, snapshot: true });
    list.inPhase('upgrade');
    upgradeControlPlaneInPlace(list, context, LOCAL_WAYPOINT);
    upgradeCni(list, context);
    round(list, context, 'default-grace', DEFAULT_ZTUNNEL_GRACE_SECONDS, null);

    list.delete('delete ZTunnel to re-create it with a 300 s grace', [ZTUNNEL_REF]);
    list.wait(
      'wait for ZTunnel and its DaemonSet to be gone',
      { kind: 'gone', objects: [ZTUNNEL_REF, ZTUNNEL_DAEMONSET] },
      context.timeouts.gone,
    );
    installZtunnel(list, context, context.fromSail, {
      updateStrategy: 'RollingUpdate',
      terminationGracePeriodSeconds: LONG_ZTUNNEL_GRACE_SECONDS,
    });
    skewProbe(list);
    round(list, context, 'long-grace', LONG_ZTUNNEL_GRACE_SECONDS, LONG_GRACE_PLANNED_LIFE_MS);
    verify(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
