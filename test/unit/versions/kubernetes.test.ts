import { describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import {
  pickKubernetesVersion,
  sharedKubernetesMinors,
  supportsKubernetes,
} from '../../../helpers/versions/kubernetes.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';

const v = parseVersion;

describe('Kubernetes version for an upgrade', () => {
  it('keeps only minors both Istio versions support', () => {
    expect(sharedKubernetesMinors(v('1.29.6'), v('1.30.3'))).toEqual([32, 33, 34, 35]);
    expect(sharedKubernetesMinors(v('1.28.10'), v('1.30.3'))).toEqual([32, 33, 34]);
    expect(sharedKubernetesMinors(v('1.30.0'), v('1.30.3'))).toEqual([32, 33, 34, 35, 36]);
  });

  it('picks the newest available version inside both windows', () => {
    const kind = ['v1.37.0', 'v1.36.4', 'v1.35.8', 'v1.34.11'];
    expect(pickKubernetesVersion(v('1.29.6'), v('1.30.3'), kind)).toBe('v1.35.8');
    expect(pickKubernetesVersion(v('1.28.10'), v('1.30.3'), kind)).toBe('v1.34.11');
    expect(pickKubernetesVersion(v('1.30.0'), v('1.30.3'), kind)).toBe('v1.36.4');
    // The kwok control plane is built at one version.
    expect(pickKubernetesVersion(v('1.29.6'), v('1.30.3'), ['v1.34.4'])).toBe('v1.34.4');
  });

  it('refuses in one line when nothing available fits both windows', () => {
    const refuse = () => pickKubernetesVersion(v('1.28.10'), v('1.30.3'), ['v1.37.0', 'v1.35.8']);
    expect(refuse).toThrow(UserError);
    expect(refuse).toThrow(
      'no Kubernetes version available here is supported by both Istio v1.28.10 (Kubernetes 1.29–1.34) and v1.30.3 (1.32–1.36); available: v1.37.0, v1.35.8',
    );
    try {
      refuse();
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('refuses an Istio minor the table does not know, instead of guessing', () => {
    expect(() => pickKubernetesVersion(v('1.29.6'), v('1.31.0-beta.1'), ['v1.35.8'])).toThrow(
      /no supported Kubernetes versions are recorded for Istio v1\.31\.0-beta\.1 \(known: 1\.28, 1\.29, 1\.30\)/,
    );
  });

  it('judges a running cluster by its minor', () => {
    expect(supportsKubernetes(v('1.29.6'), v('1.30.3'), 'v1.34.4')).toBe(true);
    expect(supportsKubernetes(v('1.29.6'), v('1.30.3'), 'v1.31.2+k3s1')).toBe(false);
    expect(supportsKubernetes(v('1.29.6'), v('1.30.3'), 'v1.36.0')).toBe(false);
  });
});
