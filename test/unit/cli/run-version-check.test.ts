import { describe, expect, it } from 'vitest';
import { versionPairProblems, withVersionProblems } from '../../../cli/run-version-check.ts';
import { PrerequisiteError } from '../../../clusters/kind/prerequisites.ts';
import { UserError } from '../../../helpers/errors.ts';

const ALL = ['inplace', 'revision-based', 'ztunnel-rolling'] as const;

describe('versionPairProblems', () => {
  it('names a downgrade once, with every scenario it affects', () => {
    expect(
      versionPairProblems({ scenarios: [...ALL], from: '1.30.3', to: '1.29.6', allowSkew: false }),
    ).toEqual([
      'inplace, revision-based, ztunnel-rolling: target v1.29.6 is older than v1.30.3: downgrades are not certified — swap --from and --to, or pass --allow-skew to reproduce a bug',
    ]);
  });

  it('refuses a two-minor jump for the scenarios whose strategy cannot take it', () => {
    const problems = versionPairProblems({
      scenarios: [...ALL],
      from: '1.28.10',
      to: '1.30.3',
      allowSkew: false,
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/inplace/);
  });

  it('has nothing to say with --allow-skew, without a pair, for smoke, or for a documented upgrade', () => {
    expect(
      versionPairProblems({ scenarios: [...ALL], from: '1.30.3', to: '1.29.6', allowSkew: true }),
    ).toEqual([]);
    expect(versionPairProblems({ scenarios: [...ALL], allowSkew: false })).toEqual([]);
    expect(
      versionPairProblems({ scenarios: ['smoke'], from: '1.30.3', to: '1.29.6', allowSkew: false }),
    ).toEqual([]);
    expect(
      versionPairProblems({ scenarios: [...ALL], from: '1.29.6', to: '1.30.3', allowSkew: false }),
    ).toEqual([]);
  });
});

describe('withVersionProblems', () => {
  const missingTools = () => Promise.reject(new PrerequisiteError(['kind not found', 'helm not found']));

  it('reports the version problems and the missing tools together, version first', async () => {
    const error = await withVersionProblems(['inplace: downgrade'], missingTools).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).problems).toEqual([
      'inplace: downgrade',
      'kind not found',
      'helm not found',
    ]);
  });

  it('adds a single prerequisite error (an unreadable kubeconfig) to the version problems', async () => {
    const error = await withVersionProblems(['inplace: downgrade'], () =>
      Promise.reject(new UserError('cannot read kc — pass --kubeconfig')),
    ).catch((e: unknown) => e);
    expect((error as PrerequisiteError).problems).toEqual([
      'inplace: downgrade',
      'cannot read kc — pass --kubeconfig',
    ]);
  });

  it('refuses on the version problems even when every prerequisite is met', async () => {
    await expect(withVersionProblems(['inplace: downgrade'], async () => 'ready')).rejects.toThrow(
      'inplace: downgrade',
    );
  });

  it('passes results and errors through when the versions are fine', async () => {
    await expect(withVersionProblems([], async () => 'ready')).resolves.toBe('ready');
    await expect(withVersionProblems([], missingTools)).rejects.toThrow(
      /^kind not found\nambient-upgrade: helm/,
    );
  });
});
