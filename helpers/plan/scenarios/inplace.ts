import { defineScenario } from '../scenario.ts';
import { StepList } from '../steps.ts';
import {
  baseline,
  DEFAULT_ZTUNNEL_GRACE_SECONDS,
  deployApps,
  ISTIO_NAME,
  installMesh,
  LOCAL_WAYPOINT,
  upgradeCni,
  upgradeControlPlaneInPlace,
  upgradeZtunnelRolling,
  verify,
} from './common.ts';

export const inplace = defineScenario({
  name: 'inplace',
  description:
    'InPlace upgrade of an ambient mesh: Istio, then IstioCNI, then ZTunnel, skew checked after each',
  proves: [
    'each component upgrades in the documented order and the mesh stays within the skew policy after every step',
    'exactly one IstioRevision remains; the waypoint runs the new version, all xDS SYNCED, on the new istiod',
    'application pods keep their UIDs and restart counts',
    'the 90/10 HTTPRoute and the AuthorizationPolicy matrix hold after the upgrade',
  ],
  deviations: [],
  strategy: 'InPlace',
  minWorkers: 1,
  steps(context) {
    const list = new StepList();
    installMesh(list, context, { strategy: 'InPlace', tag: false });
    deployApps(list, context, { waypoint: LOCAL_WAYPOINT });
    baseline(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, snapshot: true });
    list.inPhase('upgrade');
    upgradeControlPlaneInPlace(list, context, LOCAL_WAYPOINT);
    upgradeCni(list, context);
    upgradeZtunnelRolling(list, context, {
      graceSeconds: DEFAULT_ZTUNNEL_GRACE_SECONDS,
      revision: ISTIO_NAME,
    });
    verify(list, context, { strategy: 'InPlace', waypoint: LOCAL_WAYPOINT, podsUnchanged: true });
    return list.steps;
  },
});
