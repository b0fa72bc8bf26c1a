import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../../helpers/errors.ts';
import { defaultUpgradePath, supportedVersionsFromCrd } from '../../../helpers/versions/supported.ts';
import { formatSail } from '../../../helpers/versions/version.ts';
import { resolveVersions } from '../../../suites/launch.ts';
import { upstreamPath } from '../../support/upstream.ts';

const ISTIO_CRD = upstreamPath('sail-operator/crds/sailoperator.io_istios.yaml');

let crd: unknown;
beforeAll(async () => {
  crd = parse(await readFile(ISTIO_CRD, 'utf8'));
});

describe('resolveVersions against the real Sail Istio CRD', () => {
  it('defaults to the newest minor upgrade when neither --from nor --to is given', async () => {
    const { from, to } = await resolveVersions(crd, {});
    // The CRD's newest stable release is v1.30.3 (v1.31 has only a beta); the newest 1.29 patch is v1.29.6.
    expect([formatSail(from), formatSail(to)]).toEqual(['v1.29.6', 'v1.30.3']);
    const path = defaultUpgradePath(supportedVersionsFromCrd(crd), { kind: 'minor' });
    expect([formatSail(from), formatSail(to)]).toEqual([formatSail(path.from), formatSail(path.to)]);
  });

  it('keeps the versions it is given', async () => {
    const { from, to } = await resolveVersions(crd, { from: '1.29.2', to: 'v1.30.1' });
    expect([formatSail(from), formatSail(to)]).toEqual(['v1.29.2', 'v1.30.1']);
  });

  it('fills in only the missing side from the default path', async () => {
    const { from, to } = await resolveVersions(crd, { from: 'v1.29.4' });
    expect([formatSail(from), formatSail(to)]).toEqual(['v1.29.4', 'v1.30.3']);
  });

  it('refuses a version outside the enum with a one-line error naming the flag', async () => {
    const error = await resolveVersions(crd, { from: 'v1.29.6', to: 'v1.30.99' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^--to v1\.30\.99 is not offered in this Sail operator's Istio CRD/);
    expect(message).toContain('— pick one from `ambient-upgrade versions`');
  });

  it('refuses a --from outside the enum before looking at --to', async () => {
    await expect(resolveVersions(crd, { from: 'v1.2.3', to: 'v1.30.3' })).rejects.toThrow(
      /^--from v1\.2\.3 is (not offered|end-of-life) in this Sail operator's Istio CRD/,
    );
  });
});
