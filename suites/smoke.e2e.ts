// The smoke suite: install the mesh exactly as `inplace` does and check it is healthy (waypoint SYNCED, weights,
// authorization, skew), without upgrading. Runs only when named: `ambient-upgrade run --scenario smoke`.
import { scenarioSuite } from './scenario-suite.ts';
import { SMOKE_SUBSET } from './smoke-subset.ts';

await scenarioSuite('smoke', SMOKE_SUBSET);
