import { describe, expect, it } from 'vitest';
import {
  istio,
  istioCni,
  istioRevisionTag,
  MANAGED_BY_LABEL,
  RUN_ID_LABEL,
  ztunnel,
} from '../../../helpers/mesh/manifests/index.ts';

describe('istio', () => {
  it('builds the ambient Istio of the Sail sample with the chosen strategy', () => {
    const object = istio({
      version: 'v1.30.3',
      strategy: 'RevisionBased',
      inactiveRevisionDeletionGracePeriodSeconds: 5,
    });
    expect(object).toMatchObject({
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: { name: 'default', labels: { [MANAGED_BY_LABEL]: 'ambient-upgrade-suite' } },
      spec: {
        version: 'v1.30.3',
        namespace: 'istio-system',
        profile: 'ambient',
        updateStrategy: { type: 'RevisionBased', inactiveRevisionDeletionGracePeriodSeconds: 5 },
        values: { pilot: { trustedZtunnelNamespace: 'ztunnel' } },
      },
    });
    expect(object.metadata.namespace).toBeUndefined();
  });

  it('omits the grace period unless asked and honours name and profile', () => {
    const object = istio({
      name: 'mesh',
      version: 'v1.29.6',
      strategy: 'InPlace',
      profile: 'openshift-ambient',
    });
    expect(object.metadata.name).toBe('mesh');
    expect(object.spec).toMatchObject({ profile: 'openshift-ambient', updateStrategy: { type: 'InPlace' } });
    expect(object.spec).not.toHaveProperty('updateStrategy.inactiveRevisionDeletionGracePeriodSeconds');
  });

  it('adds the run id label and keeps managed-by even if extra labels try to override it', () => {
    const object = istio({
      version: 'v1.30.3',
      strategy: 'InPlace',
      runId: 'run-42',
      labels: { team: 'mesh', [MANAGED_BY_LABEL]: 'someone-else' },
    });
    expect(object.metadata.labels).toEqual({
      team: 'mesh',
      [RUN_ID_LABEL]: 'run-42',
      [MANAGED_BY_LABEL]: 'ambient-upgrade-suite',
    });
  });

  it('rejects a run id that is not a label value', () => {
    expect(() => istio({ version: 'v1.30.3', strategy: 'InPlace', runId: 'bad run/id' })).toThrow(/run id/);
  });
});

describe('istioRevisionTag', () => {
  it('targets the Istio by name', () => {
    expect(istioRevisionTag({ istioName: 'default' })).toMatchObject({
      kind: 'IstioRevisionTag',
      metadata: { name: 'default' },
      spec: { targetRef: { kind: 'Istio', name: 'default' } },
    });
    expect(istioRevisionTag({ name: 'canary', istioName: 'mesh' }).metadata.name).toBe('canary');
  });
});

describe('istioCni', () => {
  it('is the default singleton in istio-cni with the ambient profile', () => {
    expect(istioCni({ version: 'v1.30.3' })).toMatchObject({
      kind: 'IstioCNI',
      metadata: { name: 'default' },
      spec: { version: 'v1.30.3', namespace: 'istio-cni', profile: 'ambient' },
    });
  });
});

describe('ztunnel', () => {
  it('puts grace period and DaemonSet strategy under values.ztunnel', () => {
    const object = ztunnel({
      version: 'v1.30.3',
      terminationGracePeriodSeconds: 300,
      updateStrategy: 'OnDelete',
    });
    expect(object).toMatchObject({
      apiVersion: 'sailoperator.io/v1',
      kind: 'ZTunnel',
      metadata: { name: 'default' },
      spec: {
        version: 'v1.30.3',
        namespace: 'ztunnel',
        targetRef: { kind: 'Istio', name: 'default' },
        values: { ztunnel: { terminationGracePeriodSeconds: 300, updateStrategy: { type: 'OnDelete' } } },
      },
    });
  });

  it('leaves values out when nothing is tuned and can drop targetRef', () => {
    const object = ztunnel({ version: 'v1.29.6', istioName: null });
    expect(object.spec).toEqual({ version: 'v1.29.6', namespace: 'ztunnel' });
    expect(ztunnel({ version: 'v1.29.6', istioName: 'mesh' }).spec).toMatchObject({
      targetRef: { name: 'mesh' },
    });
  });
});
