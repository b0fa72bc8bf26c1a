import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VersionApi } from '@kubernetes/client-node';
import { connect } from '../helpers/k8s/client.ts';
import { Inventory } from '../helpers/k8s/inventory.ts';
import { getObject, listNodes } from '../helpers/k8s/read.ts';
import { installSailOperator } from '../helpers/mesh/install.ts';
import { meshKube } from '../helpers/mesh/kube-adapter.ts';
import { probeClient } from '../helpers/mesh/manifests/index.ts';
import { imagesOf } from '../helpers/plan/images.ts';
import { progress, waitProgress } from '../helpers/report/progress.ts';
import { writeRunMeta } from '../helpers/report/recorder.ts';
import { writeSummary } from '../helpers/report/write-summary.ts';
import {
  assertInstallable,
  defaultUpgradePath,
  formatSail,
  parseVersion,
  supportedVersionsFromCrd,
  type Version,
} from '../helpers/versions/index.ts';
import {
  installClusterPieces,
  preflightCluster,
  preflightInput,
  writeClusterChecks,
} from './cluster-preflight.ts';
import { sailChartOverrides } from './install-support.ts';
import type { LaunchOptions, LaunchResult } from './launch-contract.ts';
import { checkNodeShape, nodeShape } from './node-shape.ts';
import { RUN_CONFIG_ENV, type RunConfig } from './run-config.ts';
import { runMetaOf } from './run-meta.ts';
import { runScenarioProcess } from './scenario-process.ts';

/** Installs are slow on a fresh kind cluster (image pulls); each wait says what it saw when it gives up. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The `from → to` of the run: given, or the newest minor upgrade the installed operator supports. */
export async function resolveVersions(
  istioCrd: unknown,
  given: { from?: string; to?: string },
): Promise<{ from: Version; to: Version }> {
  const supported = supportedVersionsFromCrd(istioCrd);
  const newestMinorUpgrade = () => defaultUpgradePath(supported, { kind: 'minor' });
  const from = given.from ? parseVersion(given.from) : newestMinorUpgrade().from;
  const to = given.to ? parseVersion(given.to) : newestMinorUpgrade().to;
  assertInstallable(supported, from, '--from');
  assertInstallable(supported, to, '--to');
  return { from, to };
}

/**
 * What `run` hands over once a cluster answers: install the cluster-wide pieces once (Gateway API CRDs, the Sail
 * operator), settle the versions against the operator's own CRD, then run the selected scenario suites in vitest
 * (their reporters write allure results and JUnit) and write the certification summary, whose verdict (one
 * precedence rule, helpers/report/verdict.ts) is the run's. A skipped scenario is not a pass.
 */
export async function launchSuites(options: LaunchOptions): Promise<LaunchResult> {
  const reportsDir = resolve(options.reportsDir);
  const cacheDir = resolve('.cache');
  const kube = connect({
    kubeconfigPath: options.kubeconfigPath,
    ...(options.context ? { context: options.context } : {}),
  });
  const mesh = meshKube(kube);
  const wait = {
    timeoutMs: INSTALL_TIMEOUT_MS * options.timeoutScale,
    signal: options.signal,
    onPoll: waitProgress(),
  };
  // Before anything is installed: a cluster the selected scenarios cannot run on is refused in one line.
  const [k8sVersion, nodes] = await Promise.all([
    kube.config.makeApiClient(VersionApi).getCode(),
    listNodes(kube),
  ]);
  const shape = nodeShape(nodes);
  checkNodeShape(shape, options.scenarios);
  const preinstalled = options.facts.operatorPreinstalled;
  // kwok: the samples and release files built with the binaries, so nothing is downloaded.
  await options.install?.seedCache?.(cacheDir);
  const manifestsDir = options.manifestsDir ?? options.install?.manifestsDir;
  // Reads only: refuses (exit 2) what the run cannot do or must not touch, before the first write.
  const checked = await progress.task('check the cluster before changing it', () =>
    preflightCluster(
      kube,
      preflightInput(
        { ...options, ...(manifestsDir ? { manifestsDir } : {}) },
        { cacheDir, workers: shape.workers },
      ),
    ),
  );
  await writeClusterChecks(reportsDir, checked);
  const inventory = new Inventory(options.runDir);
  await installClusterPieces(mesh, inventory, checked.gatewayApi, wait, cacheDir);
  await progress.task(
    preinstalled
      ? `use the Sail operator installed via ${preinstalled.via}`
      : `install Sail operator ${options.operatorVersion}`,
    () =>
      installSailOperator(
        mesh,
        {
          kubeconfig: options.kubeconfigPath,
          ...(options.context ? { context: options.context } : {}),
          version: options.operatorVersion,
          ...(options.hub && options.tag ? { image: { hub: options.hub, tag: options.tag } } : {}),
          ...sailChartOverrides(options.install, options.operatorChart),
          skipCrds: checked.sailCrdsFound,
          ...(preinstalled ? { namespace: preinstalled.namespace, deployment: preinstalled.deployment } : {}),
          alreadyInstalled: preinstalled !== undefined,
        },
        wait,
        inventory,
      ),
  );
  const { startOperator } = options.install ?? {};
  if (startOperator) {
    await progress.task('start the Sail operator process (its chart pod is a kwok fake)', async (update) => {
      update((await startOperator(options.signal)).describe);
    });
  }
  const crd = await getObject(kube, {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: 'istios.sailoperator.io',
  });
  // The installed operator's CRD has the last word (the preflight read the release's when Helm installs it).
  const { from, to } = await resolveVersions(crd, {
    from: formatSail(checked.from),
    to: formatSail(checked.to),
  });
  const { samples } = checked;
  // kind: pull the application and probe images once and load them into every node.
  const { loadImages } = options;
  if (loadImages) {
    const images = imagesOf([
      ...samples.bookinfo,
      ...samples.bookinfoVersions,
      ...samples.curl,
      ...probeClient({ namespace: 'default', serviceAccount: 'curl', name: 'images' }),
    ]);
    await progress.task(`load ${images.length} images into the nodes`, () =>
      loadImages(images, options.signal),
    );
  }

  await writeRunMeta(
    reportsDir,
    runMetaOf(options, {
      startedAt: new Date().toISOString(),
      kubernetesVersion: k8sVersion.gitVersion,
      nodeCount: nodes.length,
      from,
      to,
    }),
  );

  const config: RunConfig = {
    runId: options.runId,
    runDir: options.runDir,
    kubeconfigPath: options.kubeconfigPath,
    ...(options.context ? { context: options.context } : {}),
    provider: options.provider,
    capabilities: [...options.capabilities],
    openshift: options.facts.openshift,
    scenarios: [...options.scenarios],
    from: formatSail(from),
    to: formatSail(to),
    // The cluster as it is: an existing cluster's workers all run ztunnel and all must be covered by the plan.
    workers: shape.workers,
    operatorVersion: options.operatorVersion,
    ...(manifestsDir ? { manifestsDir } : {}),
    cacheDir,
    allowSkew: options.allowSkew,
    reportsDir,
    timeoutScale: options.timeoutScale,
  };
  await mkdir(options.runDir, { recursive: true });
  const configFile = join(options.runDir, 'run-config.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  // A child vitest: the run's signal stops it, and its signal handlers cannot end this process (see the module).
  await runScenarioProcess({
    scenarios: options.scenarios,
    env: { [RUN_CONFIG_ENV]: configFile, AUS_REPORTS_DIR: reportsDir },
    signal: options.signal,
  });
  const written = await writeSummary(reportsDir);
  process.stdout.write(
    `\n${written.summary.verdict.toUpperCase()}: ${written.page}\n  also ${written.markdown}; \`npx ambient-upgrade report\` adds the Allure drill-down\n`,
  );
  return { verdict: written.summary.verdict };
}
