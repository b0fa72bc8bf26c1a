// The smoke suite: install the mesh exactly as `inplace` does and check it is healthy (waypoint SYNCED, weights,
// authorization, skew), without upgrading. Runs only when named: `ambient-upgrade run --scenario smoke`.
import { scenarioSuite } from './scenario-suite.ts';

await scenarioSuite('smoke', {
  plan: 'inplace',
  phases: ['setup', 'baseline'],
  description: 'install the ambient mesh and bookinfo, check they are healthy (no upgrade)',
  proves: [
    'Istio, IstioCNI and ZTunnel install and become Ready on the from-version',
    'the waypoint is Programmed and SYNCED with istiod; the 90/10 route and the authorization matrix hold',
  ],
});
