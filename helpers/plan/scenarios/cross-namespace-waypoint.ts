import { defineScenario } from '../scenario.ts';
import { StepList } from '../steps.ts';
import {
  BOOKINFO,
  baseline,
  bookinfoWaypointLabels,
  DEFAULT_ZTUNNEL_GRACE_SECONDS,
  deployApps,
  ISTIO_NAME,
  installMesh,
  upgradeCni,
  upgradeControlPlaneInPlace,
  upgradeZtunnelRolling,
  verify,
  type WaypointPlacement,
} from './common.ts';

/** `waypoint-foo` in `foo` serves bookinfo through the use-waypoint(-namespace) labels (OSSM doc §3.6). */
const FOO_WAYPOINT: WaypointPlacement = { namespace: 'foo', name: 'waypoint-foo', crossNamespace: true };

export const crossNamespaceWaypoint = defineScenario({
  name: 'cross-namespace-waypoint',
  description: 'InPlace upgrade with bookinfo served by waypoint-foo in namespace foo',
  proves: [
    'before the upgrade, bookinfo carries istio.io/use-waypoint-namespace=foo and istio.io/use-waypoint=waypoint-foo (re-applied and reported when wrong)',
    'after the upgrade the cross-namespace waypoint is SYNCED on the new version with the new istiod',
    'the 90/10 HTTPRoute and the AuthorizationPolicy matrix hold through the cross-namespace waypoint',
  ],
  deviations: [],
  strategy: 'InPlace',
  minWorkers: 1,
  steps(context) {
    const list = new StepList();
    installMesh(list, context, { strategy: 'InPlace', tag: false });
    deployApps(list, context, { waypoint: FOO_WAYPOINT });
    baseline(list, context, { strategy: 'InPlace', waypoint: FOO_WAYPOINT, snapshot: true });
    list.inPhase('upgrade');
    list.probe(`verify the waypoint labels on namespace ${BOOKINFO} (re-apply when wrong)`, {
      kind: 'namespace-labels',
      namespace: BOOKINFO,
      expected: bookinfoWaypointLabels(FOO_WAYPOINT),
      repair: true,
    });
    upgradeControlPlaneInPlace(list, context, FOO_WAYPOINT);
    upgradeCni(list, context);
    upgradeZtunnelRolling(list, context, {
      graceSeconds: DEFAULT_ZTUNNEL_GRACE_SECONDS,
      revision: ISTIO_NAME,
    });
    verify(list, context, { strategy: 'InPlace', waypoint: FOO_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
