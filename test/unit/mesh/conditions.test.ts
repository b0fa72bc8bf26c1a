import { describe, expect, it } from 'vitest';
import {
  allGone,
  podsReady,
  revisionGone,
  revisionsAsExpected,
  tagPointsTo,
} from '../../../helpers/mesh/conditions.ts';
import { condition, deployment, pod, type Status } from './fixtures.ts';

// Sail objects as `kubectl get -o json` shows them during a RevisionBased upgrade 1.29.6 → 1.30.3 (FACTS §2):
// revisions `default-v1-29-6` (old) and `default-v1-30-3` (new), owned by Istio `default`.

const OLD = 'default-v1-29-6';
const NEW = 'default-v1-30-3';

function istio(options: { active?: string; total?: number; version?: string } = {}) {
  const total = options.total ?? 1;
  return {
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: { name: 'default', generation: 3 },
    spec: {
      version: options.version ?? 'v1.30.3',
      namespace: 'istio-system',
      profile: 'ambient',
      updateStrategy: { type: 'RevisionBased', inactiveRevisionDeletionGracePeriodSeconds: 30 },
      values: { pilot: { trustedZtunnelNamespace: 'ztunnel' } },
    },
    status: {
      observedGeneration: 3,
      ...(options.active ? { activeRevisionName: options.active } : {}),
      revisions: { total, ready: total, inUse: 1 },
      conditions: [
        condition('Reconciled', 'True'),
        condition('Ready', 'True'),
        condition('DependenciesHealthy', 'True'),
      ],
      state: 'Healthy',
    },
  };
}

function revision(
  name: string,
  options: {
    version?: string;
    ready?: Status;
    readyReason?: string;
    inUse?: Status;
    inUseReason?: string;
    inUseMessage?: string;
  } = {},
) {
  const inUse = options.inUse ?? 'True';
  const conditions = [
    condition('Reconciled', 'True'),
    condition('Ready', options.ready ?? 'True', options.readyReason),
    condition('DependenciesHealthy', 'True'),
    condition(
      'InUse',
      inUse,
      options.inUseReason ?? (inUse === 'True' ? 'ReferencedByWorkloads' : 'NotReferencedByAnything'),
      options.inUseMessage,
    ),
  ];
  return {
    apiVersion: 'sailoperator.io/v1',
    kind: 'IstioRevision',
    metadata: {
      name,
      generation: 1,
      ownerReferences: [
        { apiVersion: 'sailoperator.io/v1', kind: 'Istio', name: 'default', controller: true },
      ],
    },
    spec: {
      version: options.version ?? `v${name.replace('default-v', '').replaceAll('-', '.')}`,
      namespace: 'istio-system',
      values: { revision: name },
    },
    status: {
      observedGeneration: 1,
      conditions,
      state: conditions.find((c) => c.status !== 'True')?.reason ?? 'Healthy',
    },
  };
}

function tag(options: { points?: string; reconciled?: Status } = {}) {
  return {
    apiVersion: 'sailoperator.io/v1',
    kind: 'IstioRevisionTag',
    metadata: { name: 'default', generation: 1 },
    spec: { targetRef: { kind: 'Istio', name: 'default' } },
    status: {
      observedGeneration: 1,
      conditions: [
        condition(
          'Reconciled',
          options.reconciled ?? 'True',
          options.reconciled === 'False' ? 'ReconcileError' : undefined,
        ),
        // Pure-ambient namespaces do not count as references (FACTS §2), so the tag is usually not InUse.
        condition('InUse', 'False', 'NotReferencedByAnything'),
      ],
      state: 'NotReferencedByAnything',
      istiodNamespace: 'istio-system',
      ...(options.points ? { istioRevision: options.points } : {}),
    },
  };
}

describe('revisionsAsExpected', () => {
  const want = { activeRevision: NEW, version: 'v1.30.3' };

  it('done once the new revision is active and Ready and the old one was pruned', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW }),
      revisions: [revision(NEW)],
      total: 1,
      ...want,
    });
    expect(r.done).toBe(true);
    expect(r.detail).toBe(`Istio default: active=${NEW} status.revisions.total=1; IstioRevisions: ${NEW}`);
  });

  it('not done while the old revision still exists: counts both the list and the status', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW, total: 2 }),
      revisions: [revision(NEW), revision(OLD, { inUse: 'True', inUseReason: 'ReferencedByWorkloads' })],
      total: 1,
      ...want,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain(`IstioRevisions: ${OLD}, ${NEW}`);
    expect(r.detail).toContain('2 IstioRevisions exist, expected 1');
    expect(r.detail).toContain('status.revisions.total is 2, expected 1');
  });

  it('not done while the status lags the deletion', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW, total: 2 }),
      revisions: [revision(NEW)],
      total: 1,
      ...want,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('status.revisions.total is 2, expected 1');
    expect(r.detail).not.toContain('IstioRevisions exist');
  });

  it('without total, both revisions may coexist (mid-upgrade check)', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW, total: 2 }),
      revisions: [revision(OLD), revision(NEW)],
      ...want,
    });
    expect(r.done).toBe(true);
  });

  it('not done while the old revision is still active', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: OLD, total: 2 }),
      revisions: [revision(OLD), revision(NEW)],
      ...want,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain(`active revision is ${OLD}, expected ${NEW}`);
  });

  it('not done before Sail reports an active revision or creates the IstioRevision', () => {
    const r = revisionsAsExpected({ istio: istio(), revisions: [revision(OLD)], ...want });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('active=unset');
    expect(r.detail).toContain(`active revision is unset, expected ${NEW}`);
    expect(r.detail).toContain(`IstioRevision ${NEW} does not exist`);
  });

  it('not done while the new revision is not Ready, naming the reason', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW }),
      revisions: [revision(NEW, { ready: 'False', readyReason: 'IstiodNotReady' })],
      ...want,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('Ready is False (IstiodNotReady)');
  });

  it('not done when the active revision runs another version', () => {
    const r = revisionsAsExpected({
      istio: istio({ active: NEW }),
      revisions: [revision(NEW, { version: 'v1.29.6' })],
      ...want,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('spec.version is v1.29.6, expected v1.30.3');
  });

  it('not done when the Istio does not exist', () => {
    expect(revisionsAsExpected({ istio: undefined, revisions: [], ...want })).toEqual({
      done: false,
      detail: 'Istio not found',
    });
  });
});

describe('revisionGone', () => {
  const istiod = deployment({
    name: `istiod-${OLD}`,
    namespace: 'istio-system',
    container: 'discovery',
    image: 'registry.istio.io/release/pilot:1.29.6',
  });

  it('done when the IstioRevision and its istiod are both gone', () => {
    const r = revisionGone({ name: OLD, revision: undefined, istiod: undefined });
    expect(r.done).toBe(true);
    expect(r.detail).toContain(`IstioRevision ${OLD} and its istiod are gone`);
  });

  it('not done while workloads still reference it, saying InUse and why', () => {
    const r = revisionGone({
      name: OLD,
      revision: revision(OLD, {
        inUse: 'True',
        inUseReason: 'ReferencedByWorkloads',
        inUseMessage: 'Referenced by at least one pod or namespace',
      }),
      istiod,
    });
    expect(r.done).toBe(false);
    expect(r.detail).toContain(
      `IstioRevision ${OLD} still exists (InUse=True ReferencedByWorkloads: Referenced by at least one pod or namespace)`,
    );
    expect(r.detail).toContain('its istiod Deployment still exists');
  });

  it('not done during the grace period after InUse turned False', () => {
    const r = revisionGone({ name: OLD, revision: revision(OLD, { inUse: 'False' }), istiod: undefined });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('InUse=False NotReferencedByAnything');
    expect(r.detail).toContain('istiod gone');
  });

  it('not done while only the istiod Deployment is left', () => {
    const r = revisionGone({ name: OLD, revision: undefined, istiod });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('IstioRevision gone; its istiod Deployment still exists');
  });

  it('an IstioRevision with no status yet shows InUse=?', () => {
    const bare = { apiVersion: 'sailoperator.io/v1', kind: 'IstioRevision', metadata: { name: OLD } };
    expect(revisionGone({ name: OLD, revision: bare, istiod: undefined }).detail).toContain('InUse=?)');
  });
});

describe('tagPointsTo', () => {
  it('done when the tag points at the revision and is Reconciled (InUse=False is fine under ambient)', () => {
    const r = tagPointsTo({ tag: tag({ points: NEW }), name: 'default', revision: NEW });
    expect(r.done).toBe(true);
    expect(r.detail).toBe(`IstioRevisionTag default: istioRevision=${NEW} Reconciled=True`);
  });

  it('not done while the tag still points at the old revision', () => {
    const r = tagPointsTo({ tag: tag({ points: OLD }), name: 'default', revision: NEW });
    expect(r.done).toBe(false);
    expect(r.detail).toContain(`points at ${OLD}, expected ${NEW}`);
  });

  it('not done when not Reconciled', () => {
    const r = tagPointsTo({ tag: tag({ points: NEW, reconciled: 'False' }), name: 'default', revision: NEW });
    expect(r.done).toBe(false);
    expect(r.detail).toContain('Reconciled=False');
    expect(r.detail).toContain('not Reconciled');
  });

  it('not done before Sail fills status.istioRevision, or when the tag is missing', () => {
    expect(tagPointsTo({ tag: tag(), name: 'default', revision: NEW }).detail).toContain(
      `points at nothing, expected ${NEW}`,
    );
    expect(tagPointsTo({ tag: undefined, name: 'default', revision: NEW })).toEqual({
      done: false,
      detail: 'IstioRevisionTag default not found',
    });
  });
});

describe('podsReady', () => {
  const istiodPod = (name: string, o: Partial<Parameters<typeof pod>[0]> = {}) =>
    pod({
      name,
      namespace: 'istio-system',
      container: 'discovery',
      image: 'registry.istio.io/release/pilot:1.30.3',
      labels: { app: 'istiod', 'istio.io/rev': NEW },
      ...o,
    });

  it('done when at least min pods are all Ready', () => {
    const r = podsReady(
      [
        istiodPod('istiod-default-v1-30-3-7b9f8c5d6-xyz78'),
        istiodPod('istiod-default-v1-30-3-7b9f8c5d6-k2m4n'),
      ],
      2,
    );
    expect(r.done).toBe(true);
    expect(r.detail).toBe(
      'istiod-default-v1-30-3-7b9f8c5d6-xyz78=Running/Ready, istiod-default-v1-30-3-7b9f8c5d6-k2m4n=Running/Ready',
    );
  });

  it('not done with fewer pods than min', () => {
    const r = podsReady([istiodPod('istiod-default-v1-30-3-7b9f8c5d6-xyz78')], 2);
    expect(r.done).toBe(false);
    expect(r.detail).toContain('1 pod(s), expected at least 2');
  });

  it('not done while a pod is not Ready or is terminating', () => {
    const notReady = podsReady([istiodPod('a-1', { ready: false }), istiodPod('b-1')], 1);
    expect(notReady.done).toBe(false);
    expect(notReady.detail).toContain('a-1=Running,');
    expect(notReady.detail).toContain('1 not Ready or terminating');
    const terminating = podsReady([istiodPod('a-1', { deletionTimestamp: '2026-08-22T10:00:00Z' })], 1);
    expect(terminating.done).toBe(false);
    expect(terminating.detail).toContain('a-1=Running/Ready/Terminating');
  });

  it('not done with no pods when some are required', () => {
    const r = podsReady([], 1);
    expect(r.done).toBe(false);
    expect(r.detail).toBe('no pods — not done: 0 pod(s), expected at least 1');
  });
});

describe('allGone', () => {
  it('done when every object is absent', () => {
    const r = allGone([
      { what: `IstioRevision ${OLD}`, exists: false },
      { what: `Deployment istio-system/istiod-${OLD}`, exists: false },
    ]);
    expect(r.done).toBe(true);
    expect(r.detail).toBe('all 2 object(s) gone');
  });

  it('not done while some exist, naming only those', () => {
    const r = allGone([
      { what: `IstioRevision ${OLD}`, exists: false },
      { what: `Deployment istio-system/istiod-${OLD}`, exists: true },
    ]);
    expect(r.done).toBe(false);
    expect(r.detail).toBe(`still present: Deployment istio-system/istiod-${OLD} — not done`);
  });
});

describe('revisionsAsExpected ownership', () => {
  it('counts only the IstioRevisions owned by the Istio it judges', async () => {
    const { revisionsAsExpected } = await import('../../../helpers/mesh/conditions.ts');
    const owned = (name: string, owner: string) => ({
      apiVersion: 'sailoperator.io/v1',
      kind: 'IstioRevision',
      metadata: { name, generation: 1, ownerReferences: [{ kind: 'Istio', name: owner }] },
      spec: { version: 'v1.30.3' },
      status: {
        observedGeneration: 1,
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Reconciled', status: 'True' },
        ],
      },
    });
    const istio = {
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: { name: 'default' },
      spec: { version: 'v1.30.3', updateStrategy: { type: 'InPlace' } },
      status: { activeRevisionName: 'default', revisions: { total: 1 } },
    };
    const input = { istio, activeRevision: 'default', version: 'v1.30.3', total: 1 };
    expect(
      revisionsAsExpected({ ...input, revisions: [owned('default', 'default'), owned('other', 'other')] })
        .done,
    ).toBe(true);
    const two = revisionsAsExpected({
      ...input,
      revisions: [owned('default', 'default'), owned('extra', 'default')],
    });
    expect(two.done).toBe(false);
    expect(two.detail).toContain('2 IstioRevisions exist, expected 1');
  });
});
