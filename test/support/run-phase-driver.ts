// Spawned by test/unit/cli/run-signals.test.ts. The real `run` path — flags, prerequisites, the kind provider, the
// run lifecycle and its signal handling — on stand-in kind/docker/helm (found on PATH), with a launch that goes
// straight to the phase under test: `scenarios` (the scenario vitest child, on test/support/scenario-root) or
// `helm` (the Sail operator install). Exits with the code `run` would.
import { fileURLToPath } from 'node:url';
import { executeRun } from '../../cli/run-execute.ts';
import { parseRunOptions } from '../../cli/run-options.ts';
import { plainProgress } from '../../cli/run-progress.ts';
import { connect } from '../../helpers/k8s/client.ts';
import { installSailOperator } from '../../helpers/mesh/install.ts';
import { meshKube } from '../../helpers/mesh/kube-adapter.ts';
import type { LaunchOptions, LaunchResult } from '../../suites/launch-contract.ts';
import { runScenarioProcess } from '../../suites/scenario-process.ts';

const phase = process.argv[2];
const runsRoot = process.env.AUS_TEST_RUNS_ROOT;
const scenarioRoot = fileURLToPath(new URL('./scenario-root/', import.meta.url));

async function launch(options: LaunchOptions): Promise<LaunchResult> {
  if (phase === 'helm') {
    const kube = meshKube(connect({ kubeconfigPath: options.kubeconfigPath }));
    await installSailOperator(
      kube,
      { kubeconfig: options.kubeconfigPath, version: options.operatorVersion, alreadyInstalled: false },
      { timeoutMs: 10 * 60_000, signal: options.signal },
    );
    return { verdict: 'certified' };
  }
  const result = await runScenarioProcess({
    scenarios: ['blocks'],
    root: scenarioRoot,
    env: { AUS_TEST_PID_FILE: process.env.AUS_TEST_PID_FILE ?? '' },
    signal: options.signal,
  });
  return { verdict: result.exitCode === 0 ? 'certified' : 'not certified' };
}

process.exitCode = await executeRun(
  parseRunOptions({ scenario: ['inplace'], from: '1.29.6', to: '1.30.3' }),
  {
    progress: plainProgress(),
    ...(runsRoot ? { runsRoot } : {}),
    loadLaunch: async () => launch,
  },
);
