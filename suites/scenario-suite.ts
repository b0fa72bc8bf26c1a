import { afterAll, beforeAll, describe, it } from 'vitest';
import { toError } from '../helpers/errors.ts';
import { collectEvidence } from '../helpers/k8s/evidence.ts';
import { collectMeshEvidence } from '../helpers/mesh/evidence.ts';
import { findScenario } from '../helpers/plan/scenarios/index.ts';
import type { Plan, ScenarioName, Step, StepPhase } from '../helpers/plan/types.ts';
import { toJsonStep } from '../helpers/plan/write.ts';
import { recordSkip, SummaryRecorder } from '../helpers/report/recorder.ts';
import { attach, attachJson, leaveOutOfAllure } from '../helpers/report/step.ts';
import { planFacts, stepMeta } from './plan-facts.ts';
import { closeScenario, openScenario, renderScenarioPlan } from './prepare.ts';
import { readRunConfig, scenarioSkipReason } from './run-config.ts';
import { basisOn, unmetNeeds } from './runner/capability-gate.ts';
import type { RunContext } from './runner/context.ts';
import { recordFigures } from './runner/figures.ts';
import { runStep } from './runner/index.ts';
import { failed, type StepOutcome } from './runner/outcome.ts';
import { checkName, haltsScenario, notRunReason, type PriorFailure } from './runner/sequence.ts';

/** Namespaces whose pods, events and logs are attached when a step fails. */
const EVIDENCE_NAMESPACES = [
  'istio-system',
  'istio-cni',
  'ztunnel',
  'bookinfo',
  'foo',
  'default',
  'connections',
];

async function attachFailureEvidence(ctx: RunContext, plan: Plan): Promise<void> {
  const waypoints = plan.steps.flatMap((s) =>
    s.action === 'wait' && s.condition.kind === 'waypoint-programmed'
      ? [{ namespace: s.condition.namespace, name: s.condition.name }]
      : [],
  );
  const items = [
    ...(await collectMeshEvidence(ctx.mesh, { waypoints, tailLines: 200 })),
    ...(await collectEvidence(ctx.kube, { namespaces: EVIDENCE_NAMESPACES, tailLines: 100 })),
  ];
  for (const item of items) await attach(item.name, item.body, item.contentType);
}

const NOT_OPENED_REASON = 'not run: the scenario could not be opened on the cluster';

/** A scenario that runs only some phases of another's plan (the smoke suite: setup and baseline of `inplace`). */
export interface ScenarioSubset {
  plan: ScenarioName;
  phases: readonly StepPhase[];
  description: string;
  proves: readonly string[];
}

/**
 * Declares one scenario as vitest tests: one test per plan step, in plan order, each an allure step titled
 * `NN action: name` with its evidence. Without a cluster (or when not selected) the scenario is one skipped test
 * whose reason reaches the report. A step needing a capability the cluster lacks is reported `not run: <capability>
 * missing` (a skip with that reason and a `not-run` annotation, so JUnit and allure show it). A failed step stops
 * the rest when the plan could not go on from there (see `haltsScenario`); the rest are reported as not run, never
 * as passed.
 */
export async function scenarioSuite(name: string, subset?: ScenarioSubset): Promise<void> {
  const scenario = findScenario(subset?.plan ?? name);
  if (!scenario) throw new Error(`no scenario named ${subset?.plan ?? name}`);
  const description = subset?.description ?? scenario.description;
  const proves = subset?.proves ?? scenario.proves;
  const runConfig = readRunConfig();
  if (runConfig.ok && !runConfig.config.scenarios.includes(name)) {
    // Part of no run: `launch` does not even load this file; a direct vitest call shows it skipped, unrecorded.
    describe.skip(`${name}: not selected in this run`, () => {
      it.skip(name, () => {});
    });
    return;
  }
  const skip = scenarioSkipReason(runConfig, name);
  if (skip !== undefined || !runConfig.ok) {
    const reason = skip ?? 'no run config';
    describe(`${name}: ${description}`, () => {
      it(`${name} is not run here`, async (test) => {
        await recordSkip(name, reason, { plannedChecks: [...proves] });
        test.skip(reason);
      });
    });
    return;
  }
  const config = runConfig.config;
  const full = await renderScenarioPlan(scenario.name, config);
  const plan = subset ? { ...full, steps: full.steps.filter((s) => subset.phases.includes(s.phase)) } : full;
  const recorder = new SummaryRecorder(name, { reportsDir: config.reportsDir });
  const abort = new AbortController();
  let ctx: RunContext | undefined;
  let halt: PriorFailure | undefined;

  const plannedChecks = plan.steps.map(checkName).filter((c): c is string => c !== undefined);
  const capabilities = new Set(config.capabilities);

  describe(`${name}: ${description}`, () => {
    beforeAll(async () => {
      await recorder.start(plannedChecks, { ...planFacts(plan), deviations: plan.deviations });
    });
    // Opening is a test of its own, not a hook: a scenario that cannot be opened is one broken test with its
    // error in the report, instead of every step skipped and the error under "global errors".
    it(`open ${name} on the cluster`, async () => {
      try {
        ctx = await openScenario(config, plan, abort.signal);
      } catch (error) {
        await recorder.error(error);
        for (const check of plannedChecks) {
          await recorder.check(check, 'not-run', { reason: NOT_OPENED_REASON });
        }
        throw error;
      }
    });
    afterAll(async () => {
      abort.abort();
      await closeScenario(ctx);
    });

    for (const step of plan.steps) {
      it(`${step.id} ${step.action}: ${step.name}`, async (test) => {
        const check = checkName(step);
        if (!ctx) {
          // The open test failed and recorded every check as not run; its error is the report's one entry.
          leaveOutOfAllure(test.task);
          test.skip(NOT_OPENED_REASON);
          return;
        }
        // Before any other reason: what the cluster cannot do is not run here, whatever happened before.
        const unmet = unmetNeeds(step, capabilities);
        if (unmet !== undefined) {
          await recorder.check(check ?? `${step.id} ${step.name}`, 'not-run', unmet);
          await test.annotate(unmet.reason, 'not-run');
          await attach('not run', unmet.reason, 'text/plain');
          test.skip(unmet.reason);
          return;
        }
        const basis = basisOn(step, capabilities);
        if (basis !== undefined) {
          await test.annotate(basis, 'basis');
          await attach('basis of this verdict on this cluster', basis, 'text/plain');
        }
        const notRun = notRunReason(halt);
        if (notRun !== undefined) {
          if (check) await recorder.check(check, 'not-run', { reason: notRun });
          test.skip(notRun);
          return;
        }
        const outcome = await execute(step, ctx, recorder);
        // Figures are evidence, not the verdict: a figure the report cannot draw must not lose the check.
        if (check)
          await recordFigures(recorder, check, step, outcome).catch((error: unknown) =>
            attach('figures not recorded', toError(error).message, 'text/plain'),
          );
        if (outcome.ok) {
          if (check) await recorder.check(check, 'pass', basis === undefined ? {} : { basis });
          return;
        }
        if (check)
          await recorder.check(check, 'fail', {
            reason: outcome.summary,
            ...(basis === undefined ? {} : { basis }),
          });
        await attachFailureEvidence(ctx, plan).catch(() => undefined);
        if (haltsScenario(step)) halt = { step, summary: outcome.summary };
        throw new Error(`${step.id} ${step.name}: ${outcome.summary}`);
      });
    }
  });
}

/** Runs one step inside its allure step; an exception is a failed outcome carrying the error's message. */
async function execute(step: Step, ctx: RunContext, recorder: SummaryRecorder): Promise<StepOutcome> {
  try {
    return await recorder.step(
      Number(step.id),
      step.action,
      step.name,
      async () => {
        await attachJson('plan step', toJsonStep(step));
        const outcome = await runStep(step, ctx);
        for (const item of outcome.evidence) await attach(item.name, item.body, item.contentType);
        return outcome;
      },
      { ...stepMeta(step), failure: (o) => (o.ok ? undefined : o.summary) },
    );
  } catch (error) {
    return failed(toError(error).message);
  }
}
