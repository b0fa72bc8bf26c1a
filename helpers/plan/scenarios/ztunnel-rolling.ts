import { ZTUNNEL_NAMESPACE } from '../../mesh/manifests/index.ts';
import type { SailVersionString } from '../../versions/version.ts';
import { defineScenario, type ScenarioContext } from '../scenario.ts';
import { StepList } from '../steps.ts';
import {
  baseline,
  CONNECTIONS,
  connectionPair,
  DEFAULT_ZTUNNEL_GRACE_SECONDS,
  deployApps,
  ISTIO_NAME,
  installMesh,
  LOCAL_WAYPOINT,
  LONG_ZTUNNEL_GRACE_SECONDS,
  labelNodes,
  skewProbe,
  upgradeCni,
  upgradeControlPlaneInPlace,
  upgradeZtunnelRolling,
  verify,
  workerNodes,
  ZTUNNEL_REF,
  ztunnelsSynced,
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
 * Starts the connections probe (client on worker 0, echo server on worker 1, so every connection crosses two
 * ztunnels) before a ZTunnel change whose rollout it spans.
 */
function startRound(
  list: StepList,
  context: ScenarioContext,
  label: string,
  rolloutGrace: number,
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
      context.timeouts.sailReady +
      context.timeouts.daemonSetRollout +
      context.timeouts.converge +
      (context.workers + 1) * rolloutGrace * 1000,
  });
}

/** Judges a round with the grace of the pods the rollout replaced (their drain deadline is what ztunnel keeps). */
function checkRound(list: StepList, label: string, replacedGrace: number, plannedEndsClean: boolean): void {
  list.probe(`check no connection ended before the ztunnel drain deadline (${label})`, {
    kind: 'connections-check',
    label,
    mode: 'ztunnel-rollout',
    terminationGracePeriodSeconds: replacedGrace,
    plannedEndsClean,
  });
}

/**
 * The OSSM procedure's first step: raise `terminationGracePeriodSeconds` on the existing ZTunnel (still at
 * `version`). The chart renders it into the pod template, so this alone rolls every ztunnel pod — the pods it
 * replaces still have the old grace.
 */
function setLongGrace(list: StepList, context: ScenarioContext, version: SailVersionString): void {
  list.upgrade(
    `set terminationGracePeriodSeconds ${LONG_ZTUNNEL_GRACE_SECONDS} on the existing ZTunnel (OSSM procedure)`,
    ZTUNNEL_REF,
    version,
    { values: { ztunnel: { terminationGracePeriodSeconds: LONG_ZTUNNEL_GRACE_SECONDS } } },
  );
  list.wait(
    `wait for ZTunnel ${version} to be Ready with the ${LONG_ZTUNNEL_GRACE_SECONDS}s grace`,
    { kind: 'sail-ready', target: ZTUNNEL_REF, version },
    context.timeouts.sailReady,
  );
  list.wait(
    `wait for the ztunnel DaemonSet to roll out the ${LONG_ZTUNNEL_GRACE_SECONDS}s grace`,
    {
      kind: 'daemonset-rolled-out',
      namespace: ZTUNNEL_NAMESPACE,
      name: 'ztunnel',
      version,
      terminationGracePeriodSeconds: LONG_ZTUNNEL_GRACE_SECONDS,
    },
    context.timeouts.daemonSetRollout + (context.workers + 1) * DEFAULT_ZTUNNEL_GRACE_SECONDS * 1000,
  );
  ztunnelsSynced(list, context, ISTIO_NAME, version);
}

/**
 * The OSSM "Updating ztunnel" procedure with RollingUpdate, two probed rollouts: (1) the grace is raised to 300 s
 * on the existing ZTunnel, which rolls every pod — judged with the 30 s grace of the pods it replaces; (2) the
 * version is bumped — judged with the 300 s grace, with connections whose planned life ends inside the drain
 * window. No CR is deleted or re-created, and ztunnel never rolls backwards under traffic.
 */
export const ztunnelRolling = defineScenario({
  name: 'ztunnel-rolling',
  description:
    'ZTunnel RollingUpdate as the OSSM procedure: raise the grace to 300 s, then bump the version, connections probed across both rollouts',
  proves: [
    'new connections keep succeeding through each ztunnel rollout (at most one failure per replaced ztunnel, inside its drain window)',
    'no long-lived connection ends before the drain deadline of the ztunnel it crosses (grace − drain margin)',
    'raising terminationGracePeriodSeconds on the existing ZTunnel rolls the pods, judged with the grace of the pods it replaces',
    'with a 300 s grace, connections whose planned life ends inside the drain window end cleanly',
  ],
  deviations: [],
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

    startRound(list, context, 'grace-update', DEFAULT_ZTUNNEL_GRACE_SECONDS, null);
    setLongGrace(list, context, context.fromSail);
    checkRound(list, 'grace-update', DEFAULT_ZTUNNEL_GRACE_SECONDS, false);
    skewProbe(list);

    startRound(list, context, 'long-grace', LONG_ZTUNNEL_GRACE_SECONDS, LONG_GRACE_PLANNED_LIFE_MS);
    upgradeZtunnelRolling(list, context, {
      graceSeconds: LONG_ZTUNNEL_GRACE_SECONDS,
      revision: ISTIO_NAME,
      templateGraceSeconds: LONG_ZTUNNEL_GRACE_SECONDS,
    });
    checkRound(list, 'long-grace', LONG_ZTUNNEL_GRACE_SECONDS, true);
    verify(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
