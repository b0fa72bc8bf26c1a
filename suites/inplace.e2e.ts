// The documented procedure for this scenario lives in its plan (helpers/plan/scenarios/inplace.ts); this file only
// runs it against the run's cluster, or skips with the reason when there is none.
import { scenarioSuite } from './scenario-suite.ts';

await scenarioSuite('inplace');
