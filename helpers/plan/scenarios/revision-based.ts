import { defineScenario } from '../scenario.ts';
import { StepList } from '../steps.ts';
import {
  baseline,
  DEFAULT_ZTUNNEL_GRACE_SECONDS,
  deployApps,
  installMesh,
  LOCAL_WAYPOINT,
  TAG_REF,
  upgradeCni,
  upgradeControlPlaneRevisionBased,
  upgradeZtunnelRolling,
  verify,
  type WaypointPlacement,
} from './common.ts';

/** The waypoint is labelled with the tag, so it follows whichever revision the tag points at. */
const TAGGED_WAYPOINT: WaypointPlacement = { ...LOCAL_WAYPOINT, revision: TAG_REF.name };

export const revisionBased = defineScenario({
  name: 'revision-based',
  description:
    'RevisionBased upgrade with an IstioRevisionTag `default`: new revision, tag moves, old revision pruned',
  proves: [
    'a new revision default-v<x-y-z> becomes Ready and active, and the default tag follows it',
    'the waypoint (labelled with the tag) reconnects to the new istiod with the new version, all SYNCED',
    'the old revision is pruned after inactiveRevisionDeletionGracePeriodSeconds once nothing uses it',
    'IstioCNI and ZTunnel then upgrade in place within the skew policy',
    'application pods keep their UIDs and restart counts; routes and policies survive the tag move',
  ],
  strategy: 'RevisionBased',
  minWorkers: 1,
  steps(context) {
    const list = new StepList();
    installMesh(list, context, { strategy: 'RevisionBased', tag: true });
    deployApps(list, context, { waypoint: TAGGED_WAYPOINT });
    baseline(list, context, { strategy: 'RevisionBased', waypoint: TAGGED_WAYPOINT, snapshot: true });
    list.inPhase('upgrade');
    upgradeControlPlaneRevisionBased(list, context, TAGGED_WAYPOINT);
    upgradeCni(list, context);
    upgradeZtunnelRolling(list, context, DEFAULT_ZTUNNEL_GRACE_SECONDS);
    verify(list, context, { strategy: 'RevisionBased', waypoint: TAGGED_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
