/**
 * `run --provider existing` against the REAL kube-apiserver (kwok cluster in its own network namespace): a
 * cluster someone already set up — a foreign mesh, an old Sail CRD set, OpenShift's admission policy on the
 * Gateway API CRDs, OSSM 3 installed through OLM — is refused or used as found, and every object that was there
 * is left exactly as it was (resourceVersion, labels, annotations), whatever the run did before it stopped.
 *
 * Refusals go through the real CLI (a child process: its stderr and exit code are the user's); runs that get
 * past the checks go through `executeRun` in-process, stopped where the scenarios would begin (the kwok pods run
 * nothing, so nothing past the operator step could pass here).
 */

import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../cli/run-execute.ts';
import { parseRunOptions, type RawRunFlags } from '../../cli/run-options.ts';
import { plainProgress } from '../../cli/run-progress.ts';
import { newRunId } from '../../clusters/run-id.ts';
import { serverSideApply } from '../../helpers/k8s/apply.ts';
import { mergePatch } from '../../helpers/k8s/patch.ts';
import type { KubeObject } from '../../helpers/k8s/types.ts';
import { waitFor } from '../../helpers/k8s/wait.ts';
import { crdEstablished, parseManifest, sailDeploymentAvailable } from '../../helpers/mesh/install.ts';
import type { LaunchSuites } from '../../suites/launch-contract.ts';
import { listEveryObject, type ObjectState, objectChanges } from '../support/cluster-objects.ts';
import {
  type ControlPlane,
  controlPlaneSkipReasons,
  sailCrds,
  startControlPlane,
} from '../support/control-plane.ts';

// The one case that Helm-installs the Sail chart needs the prebuilt operator's chart folder.
const { controlPlane: skip, operator: noChart } = await controlPlaneSkipReasons();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The field manager of whoever set the cluster up before the run (never the suite's). */
const OWNER = 'cluster-owner';
/** OpenShift's Ingress Operator: the only user its admission policy lets change Gateway API CRDs. */
const INGRESS_OPERATOR = 'system:serviceaccount:openshift-ingress-operator:ingress-operator';
const VAP_MESSAGE =
  'Gateway API Custom Resource Definitions are managed by the Ingress Operator and may not be modified';

describe.skipIf(skip !== undefined)(
  `existing cluster on the real control plane${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cp: ControlPlane;
    let work: string;
    let helmDir: string;
    let context: string;
    let baseline: Record<string, ObjectState>;
    let cases = 0;

    beforeAll(async () => {
      cp = await startControlPlane();
      work = await mkdtemp(join(tmpdir(), 'aus-existing-'));
      helmDir = join(work, 'bin');
      await mkdir(helmDir);
      await symlink(cp.ready.binaries.helm, join(helmDir, 'helm'));
      context = cp.kube.config.getCurrentContext();
      await settled();
      baseline = await listEveryObject(cp.kube);
    }, 300_000);
    afterEach(async () => {
      await reset();
    }, 300_000);
    afterAll(async () => {
      await cp?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    }, 120_000);

    // ---- the cluster as its owner set it up ----

    /** Server-side apply as the cluster's owner (not the suite's field manager). */
    const own = (object: KubeObject, query: Record<string, string> = {}): Promise<KubeObject> =>
      serverSideApply(cp.kube, object, { fieldManager: OWNER, force: true, ...query });

    const crdRef = (name: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name,
    });

    /** Applies CRDs (as the owner) and waits until each is Established, so their kinds can be created. */
    const installCrds = async (crds: readonly KubeObject[]) => {
      for (const crd of crds) await own(crd);
      for (const crd of crds) {
        await waitFor(
          `CRD ${crd.metadata.name} Established`,
          async () =>
            crdEstablished(
              await cp.kube.raw.send('GET', await cp.kube.raw.pathOf(crdRef(crd.metadata.name), 'read')),
            ),
          (r) => r.done,
          { timeoutMs: 60_000, intervalMs: 250, describe: (last) => JSON.stringify(last) },
        );
      }
    };

    /**
     * The Sail CRDs as a Helm or OLM install leaves them: the pinned chart's (Sail 1.30.3) when the prebuilt
     * operator is there, else the pinned upstream CRDs (what the contract tier validates against).
     */
    const sailChartCrds = (): Promise<KubeObject[]> => sailCrds(cp.ready);

    /** The pinned Gateway API v1.6.1 standard bundle (its CRDs and its own safe-upgrades policy). */
    const gatewayApiBundle = async (): Promise<KubeObject[]> => {
      const file = cp.ready.binaries.gatewayApiBundle;
      return parseManifest(await readFile(file, 'utf8'), file);
    };

    /** A CRD whose only job is to register an API group (OpenShift's, OLM's); its schema is not what is tested. */
    const markerCrd = (
      group: string,
      kind: string,
      scope: 'Cluster' | 'Namespaced',
      version: string,
    ): KubeObject =>
      ({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${kind.toLowerCase()}s.${group}` },
        spec: {
          group,
          scope,
          names: {
            plural: `${kind.toLowerCase()}s`,
            singular: kind.toLowerCase(),
            kind,
            listKind: `${kind}List`,
          },
          versions: [
            {
              name: version,
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      }) as KubeObject;

    /** OpenShift ≥ 4.19's policy on the Gateway API CRDs (by the shape of openshift-ingress-operator's), and its binding. */
    const openshiftGatewayApiPolicy = (): KubeObject[] => [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'openshift-ingress-operator-gatewayapi-crd-admission' },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['apiextensions.k8s.io'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE', 'DELETE'],
                resources: ['customresourcedefinitions'],
              },
            ],
          },
          matchConditions: [
            {
              name: 'gateway-api-crds-only',
              expression:
                "(request.operation == 'DELETE' ? oldObject : object).spec.group in ['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io']",
            },
          ],
          validations: [
            { expression: `request.userInfo.username == '${INGRESS_OPERATOR}'`, message: VAP_MESSAGE },
          ],
        },
      } as KubeObject,
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'openshift-ingress-operator-gatewayapi-crd-admission' },
        spec: {
          policyName: 'openshift-ingress-operator-gatewayapi-crd-admission',
          validationActions: ['Deny'],
        },
      } as KubeObject,
    ];

    /**
     * A write with the run's own credentials and field manager to a Gateway API CRD (a label, dry run): valid for
     * the schema, so only the admission policy can refuse it. Resolves to the refusal, or undefined.
     */
    const tryWriteGatewayCrd = async (): Promise<Error | undefined> => {
      const name = 'httproutes.gateway.networking.k8s.io';
      const path = await cp.kube.raw.pathOf(crdRef(name), 'read');
      return cp.kube.raw
        .send('PATCH', path, {
          query: { fieldManager: 'ambient-upgrade-suite', force: true, dryRun: 'All' },
          body: JSON.stringify({
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            metadata: { name, labels: { 'example.com/probe': 'write' } },
          }),
          contentType: 'application/apply-patch+yaml',
        })
        .then(
          () => undefined,
          (error: unknown) => error as Error,
        );
    };

    /** Installs the OpenShift policy and waits until the apiserver enforces it (its informer syncs in a moment). */
    const enforceOpenshiftPolicy = async () => {
      // Without the policy the same write is accepted: the refusal below is the policy's, nothing else's.
      expect(await tryWriteGatewayCrd()).toBeUndefined();
      for (const object of openshiftGatewayApiPolicy()) await own(object);
      const refused = await waitFor(
        'the admission policy to refuse a Gateway API CRD write',
        tryWriteGatewayCrd,
        (e) => e !== undefined,
        {
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
      return refused as Error;
    };

    // ---- the state of the cluster ----

    /** Every namespace has what kube-controller-manager adds to it, so a later listing differs only by others' writes. */
    const settled = () =>
      waitFor(
        'every namespace to have its kube-root-ca.crt and default ServiceAccount',
        async () => {
          const objects = await listEveryObject(cp.kube);
          const namespaces = Object.keys(objects).flatMap((k) =>
            k.startsWith('Namespace ') ? [k.slice(10)] : [],
          );
          return namespaces.filter(
            (ns) =>
              !(`ConfigMap ${ns}/kube-root-ca.crt` in objects && `ServiceAccount ${ns}/default` in objects),
          );
        },
        (missing) => missing.length === 0,
        { timeoutMs: 60_000, intervalMs: 500, describe: (m) => `not yet: ${String(m)}` },
      );

    /** What a case may add that reset deletes (the rest goes with its namespace or its CRD), in deletion order. */
    const RESET_KINDS: readonly (readonly [string, string])[] = [
      // Policies first: the OpenShift one refuses deleting the Gateway API CRDs.
      ['ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io', 'admissionregistration.k8s.io/v1'],
      ['ValidatingAdmissionPolicy.admissionregistration.k8s.io', 'admissionregistration.k8s.io/v1'],
      ['ServiceAccount', 'v1'],
      ['Namespace', 'v1'],
      ['CustomResourceDefinition.apiextensions.k8s.io', 'apiextensions.k8s.io/v1'],
    ];

    /** Back to the cluster as it started: everything a case added is deleted, and waited for. */
    const reset = () =>
      waitFor(
        'the objects of the case to be gone',
        async () => {
          const added = objectChanges(baseline, await listEveryObject(cp.kube)).added;
          for (const [kindGroup, apiVersion] of RESET_KINDS) {
            for (const key of added.filter((k) => k.startsWith(`${kindGroup} `))) {
              const [namespace, name] = key.slice(kindGroup.length + 1).split('/') as [string, string?];
              const kind = kindGroup.split('.')[0] as string;
              const ref =
                name === undefined
                  ? { apiVersion, kind, name: namespace }
                  : { apiVersion, kind, namespace, name };
              await cp.kube.raw.send('DELETE', await cp.kube.raw.pathOf(ref, 'read')).catch(() => undefined);
            }
          }
          return added;
        },
        (added) => added.length === 0,
        { timeoutMs: 240_000, intervalMs: 1_000, describe: (k) => `still there: ${String(k)}` },
      );

    // ---- the run ----

    const samples = () => cp.ready.binaries.istioSamples;
    const pathWithHelm = () => `${helmDir}:${process.env.PATH ?? ''}`;

    /** `ambient-upgrade run --kubeconfig …` as a user types it; its own working folder (runs/, .cache/). */
    const cli = async (args: readonly string[]) => {
      const cwd = join(work, `cli-${++cases}`);
      await mkdir(cwd);
      const started = performance.now();
      const result = await execa(
        process.execPath,
        [
          join(REPO, 'bin', 'ambient-upgrade.js'),
          'run',
          '--kubeconfig',
          cp.kubeconfigPath,
          '--allow-cluster',
          context,
          '--manifests-dir',
          samples(),
          ...args,
        ],
        { cwd, reject: false, timeout: 120_000, env: { ...process.env, PATH: pathWithHelm(), CI: 'true' } },
      );
      return {
        exitCode: result.exitCode,
        ms: performance.now() - started,
        stderr: String(result.stderr),
        /** The user-facing problem lines (progress lines are timestamped, not prefixed). */
        problems: String(result.stderr)
          .split('\n')
          .filter((l) => l.startsWith('ambient-upgrade: '))
          .map((l) => l.slice('ambient-upgrade: '.length)),
        cwd,
      };
    };

    /** What the run wrote to its inventory (runs/<id>/inventory.jsonl): nothing, for a refused run. */
    const inventoryLines = async (runsRoot: string): Promise<string[]> => {
      const runs = await readdir(runsRoot).catch(() => [] as string[]);
      const lines: string[] = [];
      for (const run of runs) {
        const text = await readFile(join(runsRoot, run, 'inventory.jsonl'), 'utf8').catch(() => '');
        lines.push(...text.split('\n').filter((l) => l.trim() !== ''));
      }
      return lines;
    };

    const STOP = 'stopped by the test where the scenarios would begin';

    /**
     * `executeRun` as `run --kubeconfig` calls it, with the real launch; the launch is stopped right after the
     * operator step (its `startOperator` hook, which only kwok uses), so the cluster pieces are in place and no
     * scenario starts.
     */
    const runInProcess = async (flags: RawRunFlags) => {
      const n = ++cases;
      const collect = () => {
        const stream = new PassThrough();
        const chunks: string[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
        return { stream, text: () => chunks.join('') };
      };
      const out = collect();
      const err = collect();
      let reachedScenarios = false;
      const reportsDir = join(work, `reports-${n}`);
      const runsRoot = join(work, `runs-${n}`);
      const { launchSuites } = await import('../../suites/launch.ts');
      const launch: LaunchSuites = (options) =>
        launchSuites({
          ...options,
          install: {
            startOperator: async () => {
              reachedScenarios = true;
              throw new Error(STOP);
            },
          },
        });
      // helm runs from the launch (install) and the sweep (uninstall) with the process's PATH, as in the CLI.
      const path = process.env.PATH;
      process.env.PATH = pathWithHelm();
      const exitCode = await executeRun(
        parseRunOptions({
          kubeconfig: cp.kubeconfigPath,
          allowCluster: context,
          scenario: ['inplace'],
          manifestsDir: samples(),
          reportsDir,
          ...flags,
        }),
        {
          env: { ...process.env, PATH: pathWithHelm() },
          progress: plainProgress({ out: out.stream, err: err.stream }),
          runId: newRunId(),
          runsRoot,
          loadLaunch: async () => launch,
        },
      ).finally(() => {
        process.env.PATH = path;
      });
      return { exitCode, out: out.text(), err: err.text(), reachedScenarios, reportsDir, runsRoot };
    };

    // ---- the cases ----

    it('refuses a cluster with a mesh it did not create: one line per object naming the fix, exit 2, nothing created or changed', async () => {
      await installCrds(await sailChartCrds());
      await own({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'istio-system',
          labels: { team: 'mesh', 'istio-discovery': 'enabled' },
          annotations: { 'example.com/owner': 'mesh-team' },
        },
      });
      await own({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'bookinfo', labels: { 'istio.io/dataplane-mode': 'ambient' } },
      });
      await own({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'bookinfo-productpage', namespace: 'bookinfo' },
      });
      await own({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'curl', namespace: 'default', labels: { app: 'curl' } },
      });
      const sail = (kind: string, spec: Record<string, unknown>) =>
        ({
          apiVersion: 'sailoperator.io/v1',
          kind,
          metadata: { name: 'default', labels: { team: 'mesh' } },
          spec,
        }) as KubeObject;
      await own(sail('Istio', { version: 'v1.29.6', namespace: 'istio-system', profile: 'ambient' }));
      await own(sail('IstioCNI', { version: 'v1.29.6', namespace: 'istio-cni', profile: 'ambient' }));
      await own(sail('ZTunnel', { version: 'v1.29.6', namespace: 'ztunnel' }));
      await own(sail('IstioRevisionTag', { targetRef: { kind: 'Istio', name: 'default' } }));
      await settled();
      const before = await listEveryObject(cp.kube);

      const run = await cli(['--scenario', 'inplace', '--scenario', 'revision-based']);

      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      const refused = (what: string, fix: RegExp) =>
        expect.stringMatching(
          new RegExp(`^${what} already exists and this run did not create it — ${fix.source}`),
        );
      expect(run.problems).toEqual([
        refused('Namespace istio-system', /.*kubectl delete namespace istio-system/),
        refused('Istio default', /the cluster already has a Sail-managed mesh.*kubectl delete istio default/),
        refused(
          'IstioCNI default',
          /the cluster already has a Sail-managed mesh.*kubectl delete istiocni default/,
        ),
        refused(
          'ZTunnel default',
          /the cluster already has a Sail-managed mesh.*kubectl delete ztunnel default/,
        ),
        refused('Namespace bookinfo', /.*kubectl delete namespace bookinfo/),
        refused('ServiceAccount default/curl', /.*kubectl delete serviceaccount -n default curl/),
        refused(
          'IstioRevisionTag default',
          /the cluster already has a Sail-managed mesh.*kubectl delete istiorevisiontag default/,
        ),
      ]);
      expect(objectChanges(before, await listEveryObject(cp.kube))).toEqual({
        added: [],
        removed: [],
        changed: [],
      });
      expect(await inventoryLines(join(run.cwd, 'runs'))).toEqual([]);
      console.info(`refused run (foreign mesh): ${Math.round(run.ms)} ms, exit ${run.exitCode}`);
    });

    it.each([
      {
        older: 'serves ZTunnel only as v1alpha1 (Sail < 1.29)',
        edit: (ztunnel: CrdVersions) => {
          ztunnel.spec.versions = ztunnel.spec.versions.filter((v) => v.name !== 'v1');
          for (const v of ztunnel.spec.versions) v.storage = true;
        },
        served: ['v1alpha1'],
        line: /^ztunnels\.sailoperator\.io on the installed Sail operator serves v1alpha1, not v1 \(Sail < 1\.29\) — install Sail operator ≥ 1\.30 \(OSSM ≥ 3\.2\), or use --provider kind$/,
      },
      {
        older: 'serves ZTunnel v1 without spec.targetRef (Sail 1.29)',
        edit: (ztunnel: CrdVersions) => {
          const v1 = ztunnel.spec.versions.find((v) => v.name === 'v1');
          delete v1?.schema.openAPIV3Schema.properties.spec.properties.targetRef;
        },
        served: ['v1', 'v1alpha1'],
        line: /^ztunnels\.sailoperator\.io v1 on the installed Sail operator has no spec\.targetRef \(Sail < 1\.30\), which RevisionBased ztunnel upgrades need — install Sail operator ≥ 1\.30 \(OSSM ≥ 3\.2\), or use --provider kind$/,
      },
    ])(
      'refuses an operator that $older in one line, before creating anything',
      async ({ edit, served, line }) => {
        const crds = await sailChartCrds();
        const ztunnel = crds.find(
          (c) => c.metadata.name === 'ztunnels.sailoperator.io',
        ) as unknown as CrdVersions;
        edit(ztunnel);
        await installCrds(crds);
        // The apiserver took the edited CRD as it is: the older API really is what the cluster serves.
        const live = (await cp.kube.raw.send(
          'GET',
          await cp.kube.raw.pathOf(crdRef('ztunnels.sailoperator.io'), 'read'),
        )) as unknown as CrdVersions;
        expect(live.spec.versions.filter((v) => v.served).map((v) => v.name)).toEqual(served);
        const hasTargetRef = live.spec.versions.some(
          (v) => v.name === 'v1' && 'targetRef' in v.schema.openAPIV3Schema.properties.spec.properties,
        );
        expect(hasTargetRef).toBe(false);
        await settled();
        const before = await listEveryObject(cp.kube);

        const run = await cli(['--scenario', 'smoke']);

        expect(run.exitCode, run.stderr).toBe(2);
        expect(run.problems).toEqual([expect.stringMatching(line)]);
        expect(objectChanges(before, await listEveryObject(cp.kube))).toEqual({
          added: [],
          removed: [],
          changed: [],
        });
        expect(await inventoryLines(join(run.cwd, 'runs'))).toEqual([]);
        console.info(`refused run (older Sail CRDs): ${Math.round(run.ms)} ms`);
      },
    );

    it.skipIf(noChart !== undefined)(
      `a run that gets past the checks takes away only what it made: its Helm release and namespace go, the Sail and Gateway API CRDs and every other object stay as they were${noChart ? ` (skipped: ${noChart})` : ''}`,
      async () => {
        // The Sail CRDs as an earlier install left them, the Gateway API CRDs a platform team owns, a bystander.
        await installCrds(await sailChartCrds());
        await installCrds((await gatewayApiBundle()).filter((o) => o.kind === 'CustomResourceDefinition'));
        await own({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'team-a', labels: { team: 'a' }, annotations: { 'example.com/owner': 'team-a' } },
        });
        await settled();
        const before = await listEveryObject(cp.kube);

        const ran = await runInProcess({ operatorChart: cp.ready.binaries.sailChart });

        expect(ran.reachedScenarios, ran.err).toBe(true);
        // The run's own Helm install: recorded before helm started, uninstalled by the run's cleanup.
        expect((await inventoryLines(ran.runsRoot)).map((l) => JSON.parse(l) as { type: string })).toEqual([
          expect.objectContaining({
            type: 'helm-release',
            name: 'sail-operator',
            namespace: 'sail-operator',
            createdNamespace: true,
          }),
        ]);
        expect(ran.out).toContain(
          'deleted Helm release sail-operator/sail-operator, Namespace sail-operator',
        );
        // Helm 4 server-side applies a chart's crds/ over existing CRDs unless told not to: no helm manager on them.
        const ztunnelCrd = (await cp.kube.raw.send(
          'GET',
          await cp.kube.raw.pathOf(crdRef('ztunnels.sailoperator.io'), 'read'),
        )) as {
          metadata: { managedFields?: { manager: string }[] };
        };
        expect(ztunnelCrd.metadata.managedFields?.map((m) => m.manager)).not.toContain('helm');
        await waitFor(
          'the cluster to be as it was before the run',
          async () => objectChanges(before, await listEveryObject(cp.kube)),
          (c) => c.added.length === 0 && c.removed.length === 0,
          { timeoutMs: 120_000, intervalMs: 1_000, describe: (c) => JSON.stringify(c) },
        );
        expect(objectChanges(before, await listEveryObject(cp.kube))).toEqual({
          added: [],
          removed: [],
          changed: [],
        });
      },
    );

    it('OpenShift-style admission policy: the real apiserver refuses a Gateway API CRD write; CRDs too old are refused in one line, never upgraded', async () => {
      await installCrds([
        markerCrd('config.openshift.io', 'ClusterVersion', 'Cluster', 'v1'),
        ...(await sailChartCrds()),
      ]);
      // Gateway API CRDs as an older Ingress Operator left them: the pinned bundle, its bundle version set back.
      const old = (await gatewayApiBundle()).map((o) =>
        o.kind === 'CustomResourceDefinition'
          ? ({
              ...o,
              metadata: {
                ...o.metadata,
                annotations: {
                  ...o.metadata.annotations,
                  'gateway.networking.k8s.io/bundle-version': 'v1.3.0',
                },
              },
            } as KubeObject)
          : o,
      );
      await installCrds(old.filter((o) => o.kind === 'CustomResourceDefinition'));
      const refusal = await enforceOpenshiftPolicy();
      expect(refusal.message).toContain(VAP_MESSAGE);
      await settled();
      const before = await listEveryObject(cp.kube);

      const run = await cli(['--scenario', 'smoke']);

      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.problems).toEqual([
        expect.stringMatching(
          /^Gateway API v1\.3\.0 \(standard channel\) already installed, older than the v1\.\d+ Istio 1\.29\.6 → 1\.30\.3 needs — upgrade OpenShift \(the Ingress Operator owns these CRDs\), then run again$/,
        ),
      ]);
      // Never attempted: the policy's refusal would have surfaced as the run's error instead of the one line above.
      expect(run.stderr).not.toContain(VAP_MESSAGE);
      expect(objectChanges(before, await listEveryObject(cp.kube))).toEqual({
        added: [],
        removed: [],
        changed: [],
      });
    });

    it('OpenShift with OSSM 3 through OLM and Ingress-Operator-owned Gateway API CRDs: waits on servicemesh-operator3, installs nothing, writes nothing', async () => {
      await installCrds([
        markerCrd('config.openshift.io', 'ClusterVersion', 'Cluster', 'v1'),
        // OLM's Subscription kind: the detection reads Subscriptions (and CSVs, absent here: OLM's CRDs are not all installed).
        markerCrd('operators.coreos.com', 'Subscription', 'Namespaced', 'v1alpha1'),
        ...(await sailChartCrds()),
      ]);
      const bundle = await gatewayApiBundle();
      await installCrds(bundle.filter((o) => o.kind === 'CustomResourceDefinition'));
      for (const o of bundle.filter((o) => o.kind !== 'CustomResourceDefinition')) await own(o);
      const refusal = await enforceOpenshiftPolicy();
      expect(refusal.message).toContain(VAP_MESSAGE);

      await own({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'openshift-operators', labels: { 'openshift.io/cluster-monitoring': 'true' } },
      });
      await own({
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'Subscription',
        metadata: { name: 'servicemeshoperator3', namespace: 'openshift-operators' },
        spec: {
          name: 'servicemeshoperator3',
          channel: 'stable',
          source: 'redhat-operators',
          sourceNamespace: 'openshift-marketplace',
        },
      } as KubeObject);
      const operator = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'servicemesh-operator3',
          namespace: 'openshift-operators',
          labels: { 'olm.owner': 'servicemeshoperator3.v3.2.0', 'olm.owner.kind': 'ClusterServiceVersion' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { 'app.kubernetes.io/name': 'servicemesh-operator3' } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'servicemesh-operator3' } },
            spec: {
              // Not schedulable yet: the first run must wait on this Deployment and time out naming it.
              nodeSelector: { 'kubernetes.io/hostname': 'not-a-node' },
              containers: [
                {
                  name: 'sail-operator',
                  image: `registry.redhat.io/openshift-service-mesh/istio-sail-operator-rhel9@sha256:${'ab'.repeat(32)}`,
                },
              ],
            },
          },
        },
      } as KubeObject;
      await own(operator);
      await settled();
      const before = await listEveryObject(cp.kube);

      // 1. The operator's Deployment is not Available: the run waits on that one (not on a sail-operator it assumed).
      const waiting = await runInProcess({ timeoutScale: '0.005' });
      expect(waiting.exitCode, waiting.err).toBe(1);
      expect(waiting.out).toContain(
        'cluster: OpenShift; Sail operator already installed via OLM (servicemeshoperator3, servicemeshoperator3), Deployment openshift-operators/servicemesh-operator3 (Helm install skipped)',
      );
      expect(waiting.err).toMatch(
        /failed: .*deployment openshift-operators\/servicemesh-operator3 Available/,
      );
      expect(waiting.reachedScenarios).toBe(false);
      expect(objectChanges(before, await listEveryObject(cp.kube))).toEqual({
        added: [],
        removed: [],
        changed: [],
      });

      // 2. Once it is Available (kwok makes its pod Ready) the run goes on past the operator step.
      await mergePatch(
        cp.kube,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'openshift-operators',
          name: 'servicemesh-operator3',
        },
        {
          spec: { template: { spec: { nodeSelector: null } } },
        },
      );
      await waitFor(
        'servicemesh-operator3 Available',
        async () =>
          sailDeploymentAvailable(
            await cp.kube.raw.send(
              'GET',
              '/apis/apps/v1/namespaces/openshift-operators/deployments/servicemesh-operator3',
            ),
            'servicemesh-operator3',
          ),
        (r) => r.done,
        { timeoutMs: 120_000, intervalMs: 500, describe: (r) => JSON.stringify(r) },
      );
      await settled();
      const ready = await listEveryObject(cp.kube);
      const ran = await runInProcess({});
      expect(ran.reachedScenarios, ran.err).toBe(true);
      expect(ran.err).toContain(STOP);
      // Nothing created (no Helm release, no sail-operator namespace, no Gateway API install), nothing changed.
      expect(objectChanges(ready, await listEveryObject(cp.kube))).toEqual({
        added: [],
        removed: [],
        changed: [],
      });
      expect(await inventoryLines(ran.runsRoot)).toEqual([]);
      // What was found is recorded for the report.
      const checks = JSON.parse(await readFile(join(ran.reportsDir, 'cluster-checks.json'), 'utf8')) as {
        gatewayApi: { action: string; detail: string };
        notes: string[];
      };
      expect(checks.gatewayApi).toEqual({
        action: 'skip',
        detail: expect.stringMatching(
          /^Gateway API v1\.6\.1 \(standard channel\) already installed: accepted by Istio 1\.29\.6 and 1\.30\.3/,
        ),
      });
      expect(checks.notes).toContain('operator capabilities read from the installed Sail operator');
      expect(ran.err).not.toContain(VAP_MESSAGE);
    });
  },
);

interface CrdVersions {
  spec: {
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } };
    }[];
  };
}
