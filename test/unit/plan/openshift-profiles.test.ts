import { describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../../helpers/plan/index.ts';
import { renderPlan } from '../../../helpers/plan/render.ts';
import { renderInput } from './fixtures.ts';

/**
 * On OpenShift the Sail operator (1.30.3, pkg/istiovalues/profiles.go) applies profiles `default` + the CR's
 * `profile`, then sets `global.platform=openshift` only if absent; every chart's files/profile-platform-openshift
 * .yaml then sets the CNI settings OpenShift needs (cniBinDir /var/lib/cni/bin, cniConfDir /etc/cni/multus/net.d,
 * chained false, provider multus, seLinuxOptions spc_t). So `profile: ambient` there equals `openshift-ambient`
 * (ambient + global.platform) — as long as the plan's CRs set none of those values themselves.
 */
const PLATFORM_KEYS = [
  'platform',
  'cniBinDir',
  'cniConfDir',
  'chained',
  'cniConfFileName',
  'provider',
  'seLinuxOptions',
];

function keysOf(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${path}${k}`, ...keysOf(v, `${path}${k}.`)]);
}

describe('Sail CRs leave the OpenShift platform values to the operator', () => {
  it.each(SCENARIO_NAMES)(
    '%s: profile ambient, no value that would override the openshift platform profile',
    async (name) => {
      const plan = renderPlan(name, await renderInput());
      const sail = plan.steps
        .flatMap((s) => (s.action === 'apply' ? s.objects : []))
        .filter((o) => o.apiVersion.startsWith('sailoperator.io/'));
      expect(sail.length).toBeGreaterThan(0);
      for (const cr of sail) {
        const spec = (cr.spec ?? {}) as { profile?: string; values?: unknown };
        if (cr.kind !== 'IstioRevisionTag') expect([undefined, 'ambient']).toContain(spec.profile);
        const overriding = keysOf(spec.values).filter((k) =>
          PLATFORM_KEYS.includes(k.split('.').at(-1) ?? ''),
        );
        expect(overriding, `${cr.kind} ${cr.metadata.name}`).toEqual([]);
      }
    },
  );
});
