import { describe, expect, it } from 'vitest';
import {
  checkMeshSkew,
  checkUpgrade,
  checkVersionChange,
  documentedUpgradeStates,
  type UpdateStrategy,
} from '../../../helpers/versions/skew.ts';
import { parseVersion } from '../../../helpers/versions/version.ts';

const v = parseVersion;

describe('checkMeshSkew', () => {
  it.each([
    ['all equal', '1.30.3', '1.30.3', '1.30.3', true],
    ['data plane one minor behind', '1.30.3', '1.29.6', '1.29.6', true],
    ['data plane older patch', '1.30.3', '1.30.0', '1.30.2', true],
    ['cni two minors behind', '1.30.3', '1.28.10', '1.30.3', false],
    ['ztunnel two minors behind', '1.30.3', '1.30.3', '1.28.10', false],
    ['cni ahead by a patch', '1.30.2', '1.30.3', '1.30.2', false],
    ['ztunnel ahead by a minor', '1.29.6', '1.29.6', '1.30.3', false],
    ['different major', '2.0.0', '1.30.3', '1.30.3', false],
  ])('%s', (_, controlPlane, cni, ztunnel, ok) => {
    const verdict = checkMeshSkew({ controlPlane: v(controlPlane), cni: v(cni), ztunnel: v(ztunnel) });
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toMatch(/^(IstioCNI|ZTunnel) v\S+ is .* — /);
  });

  it('checks waypoints too, naming them', () => {
    const verdict = checkMeshSkew({
      controlPlane: v('1.30.3'),
      cni: v('1.30.3'),
      ztunnel: v('1.30.3'),
      waypoints: [{ name: 'bookinfo/waypoint', version: v('1.28.0') }],
    });
    expect(verdict).toEqual({
      ok: false,
      reason: expect.stringContaining('waypoint bookinfo/waypoint v1.28.0 is 2 minors behind'),
    });
  });
});

describe('checkUpgrade: direction, step size and every intermediate state', () => {
  const table: [string, string, UpdateStrategy, RegExp | null][] = [
    ['1.30.2', '1.30.3', 'InPlace', null],
    ['1.29.6', '1.30.3', 'InPlace', null],
    ['1.29.6', '1.30.3', 'RevisionBased', null],
    ['1.29.6', '1.31.0-beta.1', 'InPlace', /InPlace moves at most one minor/],
    [
      '1.28.10',
      '1.30.3',
      'InPlace',
      /InPlace moves at most one minor per step, v1\.28\.10 → v1\.30\.3 is 2 minors/,
    ],
    // RevisionBased may jump two minors for the control plane, but ambient CNI/ztunnel would be two behind.
    [
      '1.28.10',
      '1.30.3',
      'RevisionBased',
      /after "upgrade Istio to v1\.30\.3": IstioCNI v1\.28\.10 is 2 minors behind .* — upgrade in two steps/,
    ],
    ['1.27.0', '1.30.3', 'RevisionBased', /RevisionBased moves at most two minors/],
    ['1.30.3', '1.29.6', 'InPlace', /target v1\.29\.6 is older than v1\.30\.3: downgrades are not certified/],
    ['1.30.3', '1.30.3', 'RevisionBased', /nothing to upgrade/],
  ];
  it.each(table)('%s → %s %s', (from, to, strategy, refusal) => {
    const verdict = checkUpgrade({ from: v(from), to: v(to), strategy });
    if (refusal === null) {
      expect(verdict).toEqual({ ok: true });
    } else {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.reason).toMatch(refusal);
        expect(verdict.reason).toContain(' — ');
        expect(verdict.reason).not.toContain('\n');
      }
    }
  });

  it('the version-change rule alone lets RevisionBased jump two minors', () => {
    expect(checkVersionChange(v('1.28.10'), v('1.30.3'), 'RevisionBased')).toEqual({ ok: true });
  });

  it('walks install, then Istio, IstioCNI, ZTunnel', () => {
    const states = documentedUpgradeStates(v('1.29.6'), v('1.30.3'));
    expect(states.map((s) => s.after)).toEqual([
      'install',
      'upgrade Istio to v1.30.3',
      'upgrade IstioCNI to v1.30.3',
      'upgrade ZTunnel to v1.30.3',
    ]);
    expect(states.every((s) => checkMeshSkew(s.mesh).ok)).toBe(true);
  });
});
