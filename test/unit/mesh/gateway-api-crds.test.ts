import { describe, expect, it } from 'vitest';
import {
  decideGatewayApi,
  type FoundCrd,
  GATEWAY_API_CRDS_USED,
} from '../../../helpers/mesh/gateway-api-crds.ts';
import { parseVersion } from '../../../helpers/versions/index.ts';

const pair = { from: parseVersion('1.29.6'), to: parseVersion('1.30.3'), installs: 'v1.6.1' };
const crds = (bundleVersion: string | undefined, channel: string | undefined): FoundCrd[] =>
  GATEWAY_API_CRDS_USED.map((name) => ({ name, bundleVersion, channel }));

describe('Gateway API CRDs on clusters that own them', () => {
  it('installs the standard bundle on a cluster without any, never on OpenShift', () => {
    expect(decideGatewayApi([], { ...pair, openshift: false })).toEqual({
      action: 'install',
      detail: 'none installed: installing Gateway API v1.6.1 (standard channel)',
    });
    expect(decideGatewayApi([], { ...pair, openshift: true })).toMatchObject({
      action: 'refuse',
      line: expect.stringMatching(
        /^the Gateway API CRDs are not installed and the suite never installs them on OpenShift — /,
      ),
    });
  });

  it('keeps CRDs both versions accept, whatever the channel, OpenShift included', () => {
    expect(decideGatewayApi(crds('v1.5.1', 'standard'), { ...pair, openshift: true })).toEqual({
      action: 'skip',
      detail:
        'Gateway API v1.5.1 (standard channel) already installed: accepted by Istio 1.29.6 and 1.30.3 (≥ v1.5), not changed',
    });
    // Never standard over experimental: an experimental bundle new enough is kept as it is.
    expect(decideGatewayApi(crds('v1.6.0', 'experimental'), { ...pair, openshift: false }).action).toBe(
      'skip',
    );
  });

  it('refuses, in one line, CRDs too old for the to-version instead of changing them', () => {
    const old = decideGatewayApi(crds('v1.4.0', 'standard'), { ...pair, openshift: false });
    expect(old).toEqual({
      action: 'refuse',
      line: 'Gateway API v1.4.0 (standard channel) already installed, older than the v1.5 Istio 1.29.6 → 1.30.3 needs — upgrade them yourself (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml), then run again',
    });
    const experimental = decideGatewayApi(crds('v1.3.0', 'experimental'), { ...pair, openshift: false });
    expect(experimental).toMatchObject({
      action: 'refuse',
      line: expect.stringContaining('experimental-install.yaml'),
    });
    const ocp = decideGatewayApi(crds('v1.4.0', 'standard'), { ...pair, openshift: true });
    expect(ocp).toMatchObject({
      action: 'refuse',
      line: expect.stringContaining('upgrade OpenShift (the Ingress Operator owns these CRDs)'),
    });
  });

  it('refuses CRDs of unknown version and a partial set', () => {
    expect(decideGatewayApi(crds(undefined, undefined), { ...pair, openshift: false })).toMatchObject({
      action: 'refuse',
      line: expect.stringMatching(/without a readable gateway\.networking\.k8s\.io\/bundle-version/),
    });
    const partial = crds('v1.6.1', 'standard').filter((c) => !c.name.startsWith('httproutes'));
    expect(decideGatewayApi(partial, { ...pair, openshift: false })).toMatchObject({
      action: 'refuse',
      line: expect.stringMatching(/but not httproutes\.gateway\.networking\.k8s\.io/),
    });
  });

  it('asks more of a newer pair: 1.30 → 1.31 needs v1.6', () => {
    const newer = { from: parseVersion('1.30.3'), to: parseVersion('1.31.0'), installs: 'v1.6.1' };
    expect(decideGatewayApi(crds('v1.5.1', 'standard'), { ...newer, openshift: false }).action).toBe(
      'refuse',
    );
    expect(decideGatewayApi(crds('v1.6.1', 'standard'), { ...newer, openshift: false }).action).toBe('skip');
  });
});
