import { describe, expect, it } from 'vitest';
import { UserError } from '../../../helpers/errors.ts';
import {
  compareVersions,
  formatPlain,
  formatSail,
  minorDistance,
  parseVersion,
  revisionName,
  tryParseVersion,
} from '../../../helpers/versions/version.ts';

describe('parseVersion', () => {
  it.each([
    ['1.30.3', 'v1.30.3', '1.30.3'],
    ['v1.30.3', 'v1.30.3', '1.30.3'],
    ['v1.31.0-beta.1', 'v1.31.0-beta.1', '1.31.0-beta.1'],
    ['1.31.0-beta.1', 'v1.31.0-beta.1', '1.31.0-beta.1'],
    ['v1.30-latest', 'v1.30-latest', '1.30-latest'],
    ['v1.32.0-alpha.527f8d6c', 'v1.32.0-alpha.527f8d6c', '1.32.0-alpha.527f8d6c'],
    [' 1.29.6 ', 'v1.29.6', '1.29.6'],
  ])('%s → Sail %s, plain %s', (input, sail, plain) => {
    const version = parseVersion(input);
    expect(formatSail(version)).toBe(sail);
    expect(formatPlain(version)).toBe(plain);
  });

  it('keeps the parts', () => {
    expect(parseVersion('v1.31.0-beta.1')).toEqual({
      kind: 'exact',
      major: 1,
      minor: 31,
      patch: 0,
      prerelease: 'beta.1',
    });
    expect(parseVersion('1.30-latest')).toEqual({ kind: 'latest', major: 1, minor: 30 });
  });

  it.each(['1.3x', '', 'v1', '1.30', 'master', 'vv1.30.3', '1.30.3.4', '01.30.3', '1.30.3-', '1.30-newest'])(
    'refuses %j with one line naming the accepted forms',
    (input) => {
      expect(tryParseVersion(input)).toBeUndefined();
      let caught: unknown;
      try {
        parseVersion(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UserError);
      const message = (caught as UserError).message;
      expect(message).toBe(
        `"${input}" is not an Istio version — use 1.30.3, v1.30.3, v1.31.0-beta.1 or v1.30-latest`,
      );
      expect(message).not.toContain('\n');
    },
  );
});

describe('compareVersions', () => {
  const sorted = [
    '1.28.10',
    '1.29.0',
    '1.29.6',
    '1.29-latest',
    '1.30.0',
    '1.31.0-alpha.1',
    '1.31.0-beta.1',
    '1.31.0-beta.2',
    '1.31.0',
    '1.31.1',
    '2.0.0',
  ];
  it('orders by minor, patch, prerelease before release, alias after its patches', () => {
    const shuffled = [...sorted].reverse().map(parseVersion);
    expect(shuffled.sort(compareVersions).map(formatPlain)).toEqual(sorted);
  });

  it('compares numeric prerelease identifiers as numbers', () => {
    expect(compareVersions(parseVersion('1.31.0-beta.10'), parseVersion('1.31.0-beta.9'))).toBeGreaterThan(0);
  });

  it('treats v and plain forms as equal', () => {
    expect(compareVersions(parseVersion('v1.30.3'), parseVersion('1.30.3'))).toBe(0);
  });
});

describe('minorDistance and revisionName', () => {
  it('counts minors', () => {
    expect(minorDistance(parseVersion('1.28.10'), parseVersion('1.30.3'))).toBe(2);
    expect(minorDistance(parseVersion('1.30.3'), parseVersion('1.29.0'))).toBe(-1);
    expect(minorDistance(parseVersion('1.30.3'), parseVersion('2.0.0'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('names revisions like Sail', () => {
    expect(revisionName('default', parseVersion('1.30.3'))).toBe('default-v1-30-3');
    expect(revisionName('default', parseVersion('v1.30-latest'))).toBe('default-v1-30-latest');
  });
});
