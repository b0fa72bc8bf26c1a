import { describe, expect, it } from 'vitest';
import { crdEstablished, parseManifest, sailHelmArgs } from '../../../helpers/mesh/install.ts';
import { condition } from './fixtures.ts';

describe('sailHelmArgs', () => {
  it('builds helm upgrade --install from the upstream repo', () => {
    expect(sailHelmArgs({ kubeconfig: '/tmp/kc', version: '1.30.3' })).toEqual([
      'upgrade',
      '--install',
      'sail-operator',
      'sail-operator',
      '--repo',
      'https://istio-ecosystem.github.io/sail-operator',
      '--version',
      '1.30.3',
      '--namespace',
      'sail-operator',
      '--create-namespace',
      '--kubeconfig',
      '/tmp/kc',
    ]);
  });

  it('leaves CRDs already on the cluster as they are (--skip-crds)', () => {
    expect(sailHelmArgs({ kubeconfig: '/tmp/kc', version: '1.30.3', skipCrds: true })).toContain(
      '--skip-crds',
    );
    expect(sailHelmArgs({ kubeconfig: '/tmp/kc', version: '1.30.3' })).not.toContain('--skip-crds');
  });

  it('adds context, the image override on the chart key `image`, and extra sets in order', () => {
    const args = sailHelmArgs({
      kubeconfig: '/tmp/kc',
      context: 'kind-aus',
      version: '1.30.3',
      image: { hub: 'quay.io/sail-dev', tag: '1.30.3' },
      set: [['operatorLogLevel', '3']],
    });
    expect(args.slice(-8)).toEqual([
      '--kubeconfig',
      '/tmp/kc',
      '--kube-context',
      'kind-aus',
      '--set',
      'image=quay.io/sail-dev/sail-operator:1.30.3',
      '--set',
      'operatorLogLevel=3',
    ]);
  });

  it('a local chart path gets no --repo; a key with "=" is refused', () => {
    expect(sailHelmArgs({ kubeconfig: 'k', version: '1.30.3', chart: './chart' })).not.toContain('--repo');
    expect(() => sailHelmArgs({ kubeconfig: 'k', version: '1', set: [['a=b', 'c']] })).toThrow(
      /contains "="/,
    );
  });
});

describe('CRDs', () => {
  it('Established=True is done; missing is not', () => {
    expect(
      crdEstablished({
        metadata: { name: 'gateways.gateway.networking.k8s.io' },
        status: { conditions: [condition('NamesAccepted', 'True'), condition('Established', 'True')] },
      }).done,
    ).toBe(true);
    expect(crdEstablished({ metadata: { name: 'x' }, status: {} }).done).toBe(false);
  });
  it('parseManifest drops empty documents and rejects non-objects', () => {
    expect(
      parseManifest('---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n', 't'),
    ).toHaveLength(1);
    expect(() => parseManifest('- a\n', 't')).toThrow(/not a Kubernetes object/);
  });
});
