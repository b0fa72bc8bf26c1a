import { afterEach, describe, expect, it } from 'vitest';
import { detectContainerEngine } from '../../../clusters/container-engine.ts';
import { checkKindPrerequisites, MISSING, PrerequisiteError } from '../../../clusters/prerequisites.ts';
import { createStandInBin, DOCKER_DOWN, DOCKER_UP, type StandInBin } from '../../support/stand-in-bin.ts';

let bin: StandInBin | undefined;
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
});

async function problemsWith(tools: Parameters<typeof createStandInBin>[0]): Promise<readonly string[]> {
  bin = await createStandInBin(tools);
  const error = await checkKindPrerequisites(bin.env()).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PrerequisiteError)) throw new Error('expected a PrerequisiteError');
  expect(error.exitCode).toBe(2);
  return error.problems;
}

describe('kind prerequisites', () => {
  it('pass with an answering docker, kind and helm, and report the engine', async () => {
    bin = await createStandInBin({ docker: DOCKER_UP, kind: [], helm: [] });
    await expect(checkKindPrerequisites(bin.env())).resolves.toEqual({ engine: 'docker' });
    expect((await bin.calls()).map((c) => [c.tool, ...c.argv].join(' '))).toEqual([
      'docker info --format {{json .}}',
    ]);
  });

  it('say a docker client without a daemon is not enough', async () => {
    expect(await problemsWith({ docker: DOCKER_DOWN, kind: [], helm: [] })).toEqual([
      'Docker is installed but its daemon is not reachable — start Docker, or use --provider existing --kubeconfig <file>',
    ]);
  });

  it('name each missing tool on its own line, all at once', async () => {
    const problems = await problemsWith({});
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^no container engine found .* — install Docker or Podman/);
    expect(problems.slice(1)).toEqual([MISSING.kind, MISSING.helm]);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('name only kind when only kind is missing', async () => {
    expect(await problemsWith({ docker: DOCKER_UP, helm: [] })).toEqual([MISSING.kind]);
  });

  it('name only helm when only helm is missing', async () => {
    expect(await problemsWith({ docker: DOCKER_UP, kind: [] })).toEqual([MISSING.helm]);
  });

  it('use podman when docker is absent and podman answers, and prefer it when kind is told to', async () => {
    bin = await createStandInBin({ podman: DOCKER_UP });
    await expect(detectContainerEngine(bin.env())).resolves.toEqual({ ok: true, engine: 'podman' });
    await bin.remove();
    bin = await createStandInBin({ docker: DOCKER_UP, podman: DOCKER_UP });
    await expect(detectContainerEngine(bin.env({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }))).resolves.toEqual({
      ok: true,
      engine: 'podman',
    });
    await expect(detectContainerEngine(bin.env())).resolves.toEqual({ ok: true, engine: 'docker' });
  });
});
