import type { ScenarioSubset } from './scenario-suite.ts';

/** `smoke`: the setup and baseline phases of `inplace` (install, check healthy, no upgrade); `run` and `plan` share it. */
export const SMOKE_SUBSET: ScenarioSubset = {
  plan: 'inplace',
  phases: ['setup', 'baseline'],
  description: 'install the ambient mesh and bookinfo, check they are healthy (no upgrade)',
  proves: [
    'Istio, IstioCNI and ZTunnel install and become Ready on the from-version',
    'the waypoint is Programmed and SYNCED with istiod; the 90/10 route and the authorization matrix hold',
  ],
};
