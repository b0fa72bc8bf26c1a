import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import {
  assertInstallable,
  defaultUpgradePath,
  isInstallable,
  loadSupportedVersions,
  resolveAlias,
  type SupportedVersions,
  supportedVersionsFromCrd,
} from '../../../helpers/versions/supported.ts';
import { formatSail, parseVersion } from '../../../helpers/versions/version.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

const upstream = UPSTREAM_DIR;
const ISTIO_CRD = `${upstream}/sail-operator/crds/sailoperator.io_istios.yaml`;

/** A minimal Istio CRD with the given enum and description, to test the parsing rules in isolation. */
function crdWith(values: string[], description?: string, defaultVersion?: string): unknown {
  return {
    spec: {
      names: { kind: 'Istio' },
      versions: [
        {
          name: 'v1',
          storage: true,
          schema: {
            openAPIV3Schema: {
              properties: {
                spec: { properties: { version: { enum: values, description, default: defaultVersion } } },
              },
            },
          },
        },
      ],
    },
  };
}

describe('supportedVersionsFromCrd on the real Sail CRD (main)', () => {
  let supported: SupportedVersions;
  beforeAll(async () => {
    supported = await loadSupportedVersions(ISTIO_CRD);
  });

  it('keeps only the installable releases, as the description lists them', () => {
    const names = supported.installable.map(formatSail);
    expect(names[0]).toBe('v1.29.0');
    expect(names).toContain('v1.30.3');
    expect(names).toContain('v1.31.0-beta.1');
    expect(names).not.toContain('v1.28.10');
    expect(supported.eol.map(formatSail)).toContain('v1.28.10');
    expect(supported.eol.map(formatSail)).toContain('v1.21.6');
  });

  it('keeps master out of the versions but records it', () => {
    expect(supported.other).toEqual(['master']);
    expect(supported.enumValues).toContain('master');
  });

  it('lists aliases and the default', () => {
    expect(supported.aliases.map(formatSail)).toEqual(['v1.29-latest', 'v1.30-latest', 'v1.31-latest']);
    expect(supported.defaultVersion && formatSail(supported.defaultVersion)).toBe('v1.31.0-beta.1');
  });

  it('derives the default upgrade paths from stable releases (FACTS §1 pairs)', () => {
    const minor = defaultUpgradePath(supported, { kind: 'minor' });
    expect([formatSail(minor.from), formatSail(minor.to)]).toEqual(['v1.29.6', 'v1.30.3']);
    const patch = defaultUpgradePath(supported, { kind: 'patch' });
    expect([formatSail(patch.from), formatSail(patch.to)]).toEqual(['v1.30.2', 'v1.30.3']);
  });

  it('checks installability and names the fix', () => {
    expect(isInstallable(supported, parseVersion('1.30.3'))).toBe(true);
    expect(isInstallable(supported, parseVersion('v1.30-latest'))).toBe(true);
    expect(isInstallable(supported, parseVersion('1.28.10'))).toBe(false);
    expect(() => assertInstallable(supported, parseVersion('1.28.10'), '--from')).toThrow(
      /--from v1\.28\.10 is end-of-life .*— pick one/,
    );
    expect(() => assertInstallable(supported, parseVersion('1.30.9'), '--to')).toThrow(
      /--to v1\.30\.9 is not offered/,
    );
  });

  it('resolves an alias to the newest patch of its minor', () => {
    expect(formatSail(resolveAlias(supported, parseVersion('v1.30-latest')))).toBe('v1.30.3');
    expect(formatSail(resolveAlias(supported, parseVersion('v1.31-latest')))).toBe('v1.31.0-beta.1');
  });
});

describe('supportedVersionsFromCrd rules', () => {
  it('treats the whole enum as installable when the description lists nothing', () => {
    const supported = supportedVersionsFromCrd(crdWith(['v1.30.1', 'v1.30.0', 'v1.29.4', 'master']));
    expect(supported.installable.map(formatSail)).toEqual(['v1.29.4', 'v1.30.0', 'v1.30.1']);
    expect(supported.eol).toEqual([]);
    expect(supported.other).toEqual(['master']);
  });

  it('the patch path needs two patches of the newest minor, the minor path a previous minor', () => {
    const onlyOne = supportedVersionsFromCrd(crdWith(['v1.30.0', 'v1.29.4']));
    expect(() => defaultUpgradePath(onlyOne, { kind: 'patch' })).toThrow(UserError);
    expect(formatSail(defaultUpgradePath(onlyOne, { kind: 'minor' }).from)).toBe('v1.29.4');
    const oneMinor = supportedVersionsFromCrd(crdWith(['v1.30.1', 'v1.30.0']));
    expect(() => defaultUpgradePath(oneMinor, { kind: 'minor' })).toThrow(/no 1\.29\.x release/);
  });

  it('never picks a prerelease as a default', () => {
    const supported = supportedVersionsFromCrd(crdWith(['v1.31.0-beta.1', 'v1.30.3', 'v1.30.2', 'v1.29.6']));
    expect(formatSail(defaultUpgradePath(supported, { kind: 'minor' }).to)).toBe('v1.30.3');
  });

  it('refuses something that is not the Istio CRD, in one line', () => {
    expect(() => supportedVersionsFromCrd({ spec: { names: { kind: 'ZTunnel' } } })).toThrow(UserError);
    expect(() => supportedVersionsFromCrd(null)).toThrow(
      /not an istios\.sailoperator\.io CRD .* — pass the Istio CRD/,
    );
  });

  it('refuses a missing file with the flag to fix', async () => {
    await expect(loadSupportedVersions('/nonexistent/istios.yaml')).rejects.toThrow(
      /cannot read the Istio CRD .* — pass an existing file with --crd/,
    );
  });
});
