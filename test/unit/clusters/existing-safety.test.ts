import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PrerequisiteError } from '../../../clusters/kind/prerequisites.ts';
import { sweepRunObjects } from '../../../clusters/sweep.ts';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { Inventory } from '../../../helpers/k8s/inventory.ts';
import { applyTracked, PreexistingObjectError } from '../../../helpers/k8s/tracked-apply.ts';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from '../../../helpers/labels.ts';
import { installSailOperator } from '../../../helpers/mesh/install.ts';
import { meshKube } from '../../../helpers/mesh/kube-adapter.ts';
import { preflightCluster } from '../../../suites/cluster-preflight.ts';
import { defaultResources } from '../../support/fake-api-store.ts';
import { FakeApiServer, type StoredObject } from '../../support/fake-apiserver.ts';
import { createStandInBin, type StandInBin } from '../../support/stand-in-bin.ts';
import { UPSTREAM } from '../plan/fixtures.ts';

const RUN = '20261201-200000-a1b2';
const OTHER_RUN = '20261130-101010-ffff';
const ours = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_ID_LABEL]: RUN };
const sail = (kind: string, plural: string) => ({
  group: 'sailoperator.io',
  version: 'v1',
  kind,
  plural,
  namespaced: false,
});
const RESOURCES = [
  ...defaultResources,
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  sail('Istio', 'istios'),
  sail('IstioRevision', 'istiorevisions'),
  sail('IstioRevisionTag', 'istiorevisiontags'),
  sail('IstioCNI', 'istiocnis'),
  sail('ZTunnel', 'ztunnels'),
];

async function upstreamCrd(file: string): Promise<StoredObject> {
  const text = await readFile(join(UPSTREAM, 'sail-operator', 'crds', file), 'utf8');
  return parseAllDocuments(text)[0]?.toJS() as StoredObject;
}

let fake: FakeApiServer;
let kube: Kube;
let runDir: string;
let bin: StandInBin | undefined;
beforeEach(async () => {
  fake = await FakeApiServer.start(RESOURCES);
  kube = connect({ kubeconfigPath: fake.kubeconfigPath });
  runDir = await mkdtemp(join(tmpdir(), 'aus-run-'));
  fake.put({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', labels: { team: 'platform' } },
  });
});
afterEach(async () => {
  await fake.close();
  await bin?.remove();
  bin = undefined;
  await rm(runDir, { recursive: true, force: true });
});

/** Everything in the fake's store, as JSON, for "unchanged" comparisons. */
function snapshot(): string {
  return JSON.stringify(
    RESOURCES.flatMap((r) =>
      fake.store.list(
        fake.store.resourceFor(r.group ? `${r.group}/${r.version}` : r.version, r.kind),
        undefined,
      ),
    ),
  );
}

const writes = () => fake.requests.filter((r) => r.method !== 'GET');

async function preflight(overrides: Partial<Parameters<typeof preflightCluster>[1]> = {}) {
  return preflightCluster(kube, {
    runId: RUN,
    openshift: false,
    operatorPreinstalled: true,
    operatorVersion: '1.30.3',
    scenarios: ['inplace'],
    workers: 2,
    allowSkew: false,
    cacheDir: join(runDir, 'cache'),
    manifestsDir: join(UPSTREAM, 'istio', 'samples'),
    cleanupFlags: `--kubeconfig ${fake.kubeconfigPath} --context fake --allow-cluster fake`,
    ...overrides,
  });
}

async function installSailCrds(
  mutate: (crds: { istio: StoredObject; ztunnel: StoredObject }) => void = () => {},
) {
  const crds = {
    istio: await upstreamCrd('sailoperator.io_istios.yaml'),
    ztunnel: await upstreamCrd('sailoperator.io_ztunnels.yaml'),
  };
  mutate(crds);
  for (const crd of Object.values(crds)) fake.put(crd);
}

describe('preflight on an existing cluster: refuse, in one line each, what the run did not create', () => {
  it("names a foreign mesh namespace, a foreign Istio default, a foreign default/curl and another run's leftover; changes nothing", async () => {
    await installSailCrds();
    fake.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'istio-system', labels: { team: 'mesh' } },
    });
    fake.put({
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: { name: 'default' },
      spec: { version: 'v1.29.6' },
    });
    fake.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'curl', namespace: 'default' } });
    fake.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'bookinfo',
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RUN_ID_LABEL]: OTHER_RUN },
      },
    });
    const before = snapshot();
    const error = await preflight().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    const lines = (error as PrerequisiteError).problems;
    expect(lines).toEqual([
      expect.stringMatching(
        /^Namespace istio-system already exists and this run did not create it — the run creates it and would delete it afterwards; delete it yourself \(kubectl delete namespace istio-system\)/,
      ),
      expect.stringMatching(
        /^Istio default already exists and this run did not create it — the cluster already has a Sail-managed mesh/,
      ),
      expect.stringMatching(
        new RegExp(
          `^Namespace bookinfo was left by run ${OTHER_RUN} of this suite — remove it with: npx ambient-upgrade cleanup --run ${OTHER_RUN} --kubeconfig .* --allow-cluster fake$`,
        ),
      ),
      expect.stringMatching(
        /^ServiceAccount default\/curl already exists and this run did not create it — .*kubectl delete serviceaccount -n default curl/,
      ),
    ]);
    for (const line of lines) expect(line).not.toContain('\n');
    // Protected namespaces are never refused, and a refused run leaves every object as it was, labels included.
    expect(lines.join(' ')).not.toMatch(/Namespace default /);
    expect(writes()).toEqual([]);
    expect(snapshot()).toBe(before);
  });

  it('refuses an operator whose ZTunnel CRD lacks v1 spec.targetRef (Sail 1.29) before anything is created', async () => {
    await installSailCrds(({ ztunnel }) => {
      const v1 = (
        ztunnel.spec as {
          versions: {
            name: string;
            schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } };
          }[];
        }
      ).versions.find((v) => v.name === 'v1');
      if (v1) delete v1.schema.openAPIV3Schema.properties.spec.properties.targetRef;
    });
    const before = snapshot();
    const error = (await preflight().catch((e: unknown) => e)) as PrerequisiteError;
    expect(error.problems).toEqual([
      'ztunnels.sailoperator.io v1 on the installed Sail operator has no spec.targetRef (Sail < 1.30), which RevisionBased ztunnel upgrades need — install Sail operator ≥ 1.30 (OSSM ≥ 3.2), or use --provider kind',
    ]);
    expect(writes()).toEqual([]);
    expect(snapshot()).toBe(before);
  });

  it('refuses an operator serving ZTunnel only as v1alpha1 (Sail < 1.29), and versions outside the Istio CRD enum', async () => {
    await installSailCrds(({ ztunnel }) => {
      const spec = ztunnel.spec as { versions: { name: string; served: boolean }[] };
      spec.versions = spec.versions.filter((v) => v.name !== 'v1');
    });
    const error = (await preflight({ from: '1.27.3' }).catch((e: unknown) => e)) as PrerequisiteError;
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^ztunnels\.sailoperator\.io on the installed Sail operator serves v1alpha1, not v1 \(Sail < 1\.29\)/,
      ),
      expect.stringMatching(/^--from v1\.27\.3 is not in the version enum of istios\.sailoperator\.io/),
    ]);
    expect(writes()).toEqual([]);
  });

  it('passes a clean cluster, reading only', async () => {
    await installSailCrds();
    const checked = await preflight();
    expect(checked.gatewayApi.action).toBe('install');
    expect(writes()).toEqual([]);
  });
});

describe('applying on a shared cluster: never take over, never label what the run did not create', () => {
  const nsDefault = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', labels },
  });

  it('sets only the ambient label on namespace default, records its previous value, and the sweep restores it exactly', async () => {
    fake.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { team: 'platform', 'istio.io/dataplane-mode': 'none' } },
    });
    const inventory = new Inventory(runDir);
    await applyTracked(kube, [nsDefault({ ...ours, 'istio.io/dataplane-mode': 'ambient' })], {
      runId: RUN,
      inventory,
    });
    const during = fake.get('v1', 'Namespace', undefined, 'default');
    // Today's server-side apply with force wrote the run's labels onto the existing namespace.
    expect(during?.metadata.labels).toEqual({ team: 'platform', 'istio.io/dataplane-mode': 'ambient' });
    expect(fake.requests.some((r) => r.contentType === 'application/apply-patch+yaml')).toBe(false);

    const result = await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'scenario',
      deadlineMs: 2_000,
      intervalMs: 20,
    });
    expect(result.restored).toEqual(['Namespace default']);
    expect(fake.get('v1', 'Namespace', undefined, 'default')?.metadata.labels).toEqual({
      team: 'platform',
      'istio.io/dataplane-mode': 'none',
    });
    expect(fake.get('v1', 'Namespace', undefined, 'default')).toBeDefined();
  });

  it('removes a label the run added where there was none', async () => {
    const inventory = new Inventory(runDir);
    await applyTracked(kube, [nsDefault({ ...ours, 'istio.io/dataplane-mode': 'ambient' })], {
      runId: RUN,
      inventory,
    });
    await sweepRunObjects(kube, RUN, { runDir, scope: 'scenario', deadlineMs: 2_000, intervalMs: 20 });
    expect(fake.get('v1', 'Namespace', undefined, 'default')?.metadata.labels).toEqual({ team: 'platform' });
  });

  it('refuses a pre-existing object instead of force-applying it, and leaves it unchanged', async () => {
    fake.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'istio-system', labels: { team: 'mesh' } },
    });
    const before = snapshot();
    const inventory = new Inventory(runDir);
    const error = await applyTracked(
      kube,
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: ours } }],
      { runId: RUN, inventory },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreexistingObjectError);
    expect((error as Error).message).toBe(
      `Namespace istio-system already exists and run ${RUN} did not create it — the suite will not change or later delete it; delete it yourself, or run on a cluster without it`,
    );
    expect(snapshot()).toBe(before);
    expect(await inventory.read()).toEqual([]);
  });
});

describe('the sweep deletes by the inventory and nothing else', () => {
  it("deletes what the run created, keeps same-named objects it did not, waits for the Istio's IstioRevisions", async () => {
    const inventory = new Inventory(runDir);
    await applyTracked(
      kube,
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo', labels: ours } },
        {
          apiVersion: 'sailoperator.io/v1',
          kind: 'Istio',
          metadata: { name: 'default', labels: ours },
          spec: { version: 'v1.29.6' },
        },
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'curl', namespace: 'default', labels: ours },
        },
      ],
      { runId: RUN, inventory },
    );
    const istio = fake.get('sailoperator.io/v1', 'Istio', undefined, 'default');
    // The operator's revision of that Istio (no run label: the operator made it), uninstalling for a while.
    fake.put({
      apiVersion: 'sailoperator.io/v1',
      kind: 'IstioRevision',
      metadata: {
        name: 'default',
        ownerReferences: [{ kind: 'Istio', name: 'default', uid: istio?.metadata.uid }],
      },
    });
    // Someone else's namespace that is not in the inventory, and one that has the name of an inventory entry
    // but was re-created by someone else (no run label).
    fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } });
    let revisionReads = 0;
    fake.onRequest = (r) => {
      if (r.path === '/apis/sailoperator.io/v1/istiorevisions' && ++revisionReads === 3)
        fake.remove('sailoperator.io/v1', 'IstioRevision', undefined, 'default');
    };
    const result = await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'scenario',
      deadlineMs: 5_000,
      intervalMs: 20,
    });
    expect(result).toEqual({
      deleted: ['Istio default', 'ServiceAccount default/curl', 'Namespace bookinfo'],
      restored: [],
      kept: [],
      leftovers: [],
    });
    expect(revisionReads).toBeGreaterThanOrEqual(3);
    expect(fake.get('v1', 'Namespace', undefined, 'payments')).toBeDefined();
    expect(fake.get('v1', 'Namespace', undefined, 'default')).toBeDefined();
    // The deletes came after the revision was gone? No: Sail objects first, namespaces after the wait.
    const deletes = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes).toEqual([
      '/apis/sailoperator.io/v1/istios/default',
      '/api/v1/namespaces/default/serviceaccounts/curl',
      '/api/v1/namespaces/bookinfo',
    ]);
  });

  it('never deletes an inventory entry whose live object lost the run label (re-created by someone else)', async () => {
    const inventory = new Inventory(runDir);
    await applyTracked(
      kube,
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo', labels: ours } }],
      {
        runId: RUN,
        inventory,
      },
    );
    fake.remove('v1', 'Namespace', undefined, 'bookinfo');
    fake.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bookinfo', labels: { team: 'shop' } },
    });
    const result = await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'run',
      deadlineMs: 1_000,
      intervalMs: 20,
    });
    expect(result.deleted).toEqual([]);
    expect(fake.get('v1', 'Namespace', undefined, 'bookinfo')?.metadata.labels).toEqual({ team: 'shop' });
  });

  it('gives the whole sweep one deadline and reports what did not go, instead of hanging or throwing', async () => {
    const inventory = new Inventory(runDir);
    await applyTracked(
      kube,
      [
        {
          apiVersion: 'sailoperator.io/v1',
          kind: 'Istio',
          metadata: { name: 'default', labels: ours },
          spec: { version: 'v1.29.6' },
        },
      ],
      { runId: RUN, inventory },
    );
    const istio = fake.get('sailoperator.io/v1', 'Istio', undefined, 'default');
    fake.put({
      apiVersion: 'sailoperator.io/v1',
      kind: 'IstioRevision',
      metadata: {
        name: 'default',
        ownerReferences: [{ kind: 'Istio', name: 'default', uid: istio?.metadata.uid }],
      },
    });
    const started = Date.now();
    const result = await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'scenario',
      deadlineMs: 400,
      intervalMs: 20,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.leftovers).toEqual([
      "the IstioRevisions of the swept Istio: still there when the sweep's deadline passed",
    ]);
  });

  it("uninstalls the run's own Helm release, pending-install included, deletes the namespace Helm created, keeps the CRDs", async () => {
    bin = await createStandInBin({ helm: [] });
    const inventory = new Inventory(runDir);
    await inventory.record({
      type: 'crds',
      names: ['CustomResourceDefinition gateways.gateway.networking.k8s.io'],
    });
    await inventory.record({
      type: 'helm-release',
      name: 'sail-operator',
      namespace: 'sail-operator',
      createdNamespace: true,
    });
    // helm was interrupted: its release Secret says pending-install, its namespace exists.
    fake.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sail-operator' } });
    const result = await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'run',
      deadlineMs: 2_000,
      intervalMs: 20,
      kubeconfigPath: fake.kubeconfigPath,
      context: 'fake',
      env: bin.env(),
    });
    expect((await bin.calls()).map((c) => c.argv.join(' '))).toEqual([
      `uninstall sail-operator --namespace sail-operator --kubeconfig ${fake.kubeconfigPath} --kube-context fake`,
    ]);
    expect(result.deleted).toEqual(['Helm release sail-operator/sail-operator', 'Namespace sail-operator']);
    expect(result.kept).toEqual([
      'CustomResourceDefinition gateways.gateway.networking.k8s.io',
      'the CRDs of Helm release sail-operator/sail-operator (Sail and Istio kinds)',
    ]);
    expect(fake.get('v1', 'Namespace', undefined, 'sail-operator')).toBeUndefined();
  });

  it('leaves the operator alone between scenarios', async () => {
    bin = await createStandInBin({ helm: [] });
    const inventory = new Inventory(runDir);
    await inventory.record({
      type: 'helm-release',
      name: 'sail-operator',
      namespace: 'sail-operator',
      createdNamespace: true,
    });
    await sweepRunObjects(kube, RUN, {
      runDir,
      scope: 'scenario',
      deadlineMs: 500,
      kubeconfigPath: fake.kubeconfigPath,
      env: bin.env(),
    });
    expect(await bin.calls()).toEqual([]);
  });
});

describe('an operator OLM installed', () => {
  it('waits on the OSSM 3 Deployment actually found (servicemesh-operator3 in openshift-operators), runs no helm', async () => {
    fake.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'servicemesh-operator3', namespace: 'openshift-operators', generation: 1 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Available', status: 'True' }],
      },
    });
    bin = await createStandInBin({ helm: [] });
    const result = await installSailOperator(
      meshKube(kube),
      {
        kubeconfig: fake.kubeconfigPath,
        version: '1.30.3',
        alreadyInstalled: true,
        namespace: 'openshift-operators',
        deployment: 'servicemesh-operator3',
      },
      { timeoutMs: 2_000, intervalMs: 20 },
    );
    expect(result.installedBy).toBe('existing');
    expect(await bin.calls()).toEqual([]);
    expect(fake.requests.map((r) => r.path)).toContain(
      '/apis/apps/v1/namespaces/openshift-operators/deployments/servicemesh-operator3',
    );
  });
});
