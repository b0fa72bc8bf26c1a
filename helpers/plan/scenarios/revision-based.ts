import { revisionName } from '../../versions/version.ts';
import { defineScenario } from '../scenario.ts';
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
  labelNodes,
  pruneOldRevision,
  TAG_REF,
  upgradeCni,
  upgradeControlPlaneRevisionBased,
  upgradeZtunnelRolling,
  verify,
  type WaypointPlacement,
  workerNodes,
} from './common.ts';

/** The waypoint is labelled with the tag, so it follows whichever revision the tag points at. */
const TAGGED_WAYPOINT: WaypointPlacement = { ...LOCAL_WAYPOINT, revision: TAG_REF.name };
const REROLL = 'ztunnel-revision-move';

export const revisionBased = defineScenario({
  name: 'revision-based',
  description:
    'RevisionBased upgrade with an IstioRevisionTag `default`: new revision, tag moves, old revision pruned',
  proves: [
    'a new revision default-v<x-y-z> becomes Ready and active, and the default tag follows it',
    'the waypoint (labelled with the tag) reconnects to the new istiod with the new version, all SYNCED',
    'ZTunnel moves to the new revision (status, pod template, XDS_ADDRESS) and every ztunnel reconnects to it; connections across that re-roll are judged like a rolling update',
    'the old revision is pruned after inactiveRevisionDeletionGracePeriodSeconds once nothing uses it',
    'IstioCNI and ZTunnel then upgrade in place within the skew policy',
    'application pods keep their UIDs and restart counts; routes and policies survive the tag move',
  ],
  deviations: [],
  strategy: 'RevisionBased',
  minWorkers: 1,
  steps(context) {
    const list = new StepList();
    // Client and echo server on two workers when there are two (every connection crosses two ztunnels).
    const workers = workerNodes(context).slice(0, 2);
    const clientNode = workers[0] ?? { role: 'worker' as const, index: 0 };
    const serverNode = workers[1] ?? clientNode;
    labelNodes(list, workers);
    installMesh(list, context, { strategy: 'RevisionBased', tag: true });
    const pair = connectionPair(context, 'reroll', clientNode, serverNode);
    deployApps(list, context, {
      waypoint: TAGGED_WAYPOINT,
      extra: { namespaces: [CONNECTIONS], objects: pair.objects, podWaits: pair.waits },
    });
    baseline(list, context, { strategy: 'RevisionBased', waypoint: TAGGED_WAYPOINT, snapshot: true });
    list.inPhase('upgrade');
    const { timeouts } = context;
    list.probe('start connections across the ztunnel re-roll the new revision causes', {
      kind: 'connections-start',
      label: REROLL,
      pairs: [pair.pair],
      count: 20,
      intervalMs: 1_000,
      newPerSecond: 5,
      plannedLifeMs: null,
      durationMs:
        timeouts.sailReady +
        timeouts.revisions +
        timeouts.istiodRollout +
        timeouts.tagFollows +
        timeouts.waypointRollout +
        timeouts.converge * 2 +
        timeouts.daemonSetRollout +
        (context.workers + 1) * DEFAULT_ZTUNNEL_GRACE_SECONDS * 1000,
    });
    upgradeControlPlaneRevisionBased(list, context, TAGGED_WAYPOINT);
    list.probe('check connections across the ztunnel re-roll, judged like a rolling update', {
      kind: 'connections-check',
      label: REROLL,
      mode: 'ztunnel-rollout',
      terminationGracePeriodSeconds: DEFAULT_ZTUNNEL_GRACE_SECONDS,
      plannedEndsClean: false,
    });
    pruneOldRevision(list, context);
    upgradeCni(list, context);
    upgradeZtunnelRolling(list, context, {
      graceSeconds: DEFAULT_ZTUNNEL_GRACE_SECONDS,
      revision: revisionName(ISTIO_NAME, context.to),
    });
    verify(list, context, { strategy: 'RevisionBased', waypoint: TAGGED_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
