import { describe, expect, it } from 'vitest';
import { checkPlanSkew, meshAfter } from '../../../helpers/plan/skew-walk.ts';
import { StepList } from '../../../helpers/plan/steps.ts';

const ref = (kind: string) => ({ apiVersion: 'sailoperator.io/v1', kind, name: 'default' });
const cr = (kind: string, version: string) => ({
  apiVersion: 'sailoperator.io/v1',
  kind,
  metadata: { name: 'default' },
  spec: { version },
});

function installed(version: string): StepList {
  return new StepList().apply('install', [
    cr('Istio', version),
    cr('IstioCNI', version),
    cr('ZTunnel', version),
  ]);
}

describe('checkPlanSkew walks the plan’s own steps', () => {
  it('accepts the documented order', () => {
    const list = installed('v1.29.6')
      .upgrade('Istio', ref('Istio'), 'v1.30.3')
      .upgrade('CNI', ref('IstioCNI'), 'v1.30.3')
      .upgrade('ZTunnel', ref('ZTunnel'), 'v1.30.3');
    expect(checkPlanSkew(list.steps)).toEqual([]);
    expect(meshAfter(list.steps)).toEqual({ controlPlane: 'v1.30.3', cni: 'v1.30.3', ztunnel: 'v1.30.3' });
  });

  it('flags a data plane upgraded before the control plane, naming the step', () => {
    const list = installed('v1.29.6').upgrade('ZTunnel first', ref('ZTunnel'), 'v1.30.3');
    expect(checkPlanSkew(list.steps)).toEqual([
      expect.stringMatching(
        /^after "020 ZTunnel first": ZTunnel v1\.30\.3 is ahead of the control plane v1\.29\.6/,
      ),
    ]);
  });

  it('flags each violating intermediate state of a two-minor jump, and forgets deleted components', () => {
    const list = installed('v1.28.10').upgrade('Istio', ref('Istio'), 'v1.30.3');
    expect(checkPlanSkew(list.steps)).toHaveLength(1);
    list.delete('remove ztunnel', [ref('ZTunnel')]);
    expect(meshAfter(list.steps).ztunnel).toBeUndefined();
    list.upgrade('CNI', ref('IstioCNI'), 'v1.30.3');
    expect(checkPlanSkew(list.steps)).toHaveLength(1);
  });
});
