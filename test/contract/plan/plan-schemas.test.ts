import { beforeAll, describe, expect, it } from 'vitest';
import { loadSamples } from '../../../helpers/mesh/samples.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { SCENARIO_NAMES } from '../../../helpers/plan/scenarios/index.ts';
import { validatePlanObjects } from '../../../helpers/plan/validate.ts';
import { loadUpstreamCrds } from '../../../helpers/schema/load-upstream-crds.ts';
import { createSchemaValidator, type SchemaValidator } from '../../../helpers/schema/validator.ts';
import { defaultUpgradePath, loadSupportedVersions } from '../../../helpers/versions/supported.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

const upstream = UPSTREAM_DIR;

let validator: SchemaValidator;
let samples: Awaited<ReturnType<typeof loadSamples>>;
beforeAll(async () => {
  validator = createSchemaValidator(await loadUpstreamCrds(upstream));
  samples = await loadSamples('v1.29.6', { manifestsDir: `${upstream}/istio/samples` });
});

describe('every object of every scenario validates against the real CRD schemas', () => {
  describe.each(['minor', 'patch'] as const)('%s upgrade (default path of the real CRD)', (kind) => {
    it.each(SCENARIO_NAMES)('%s', async (name) => {
      const path = defaultUpgradePath(
        await loadSupportedVersions(`${upstream}/sail-operator/crds/sailoperator.io_istios.yaml`),
        { kind },
      );
      const plan = renderPlan(name, {
        from: path.from,
        to: path.to,
        workers: 2,
        samples: { bookinfo: samples.bookinfo, bookinfoVersions: samples.bookinfoVersions },
        probeBundle: 'console.log("probe")',
        runId: 'contract-run',
      });
      const problems = validatePlanObjects(plan, validator);
      expect(problems).toEqual([]);
      // The validator really checks: a typo in a Sail field is caught.
      const istio = plan.steps
        .flatMap((step) => (step.action === 'apply' ? step.objects : []))
        .find((o) => o.kind === 'Istio');
      expect(istio).toBeDefined();
      if (istio)
        expect(
          validator.validate({ ...istio, spec: { ...(istio.spec as object), updateStrategey: {} } }).ok,
        ).toBe(false);
    });
  });
});
