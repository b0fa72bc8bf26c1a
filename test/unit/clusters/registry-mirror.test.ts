import { afterEach, describe, expect, it } from 'vitest';
import { ensureRegistryMirror } from '../../../clusters/registry-mirror.ts';
import { createStandInBin, type StandInBin } from '../../support/stand-in-bin.ts';

let bin: StandInBin | undefined;
afterEach(async () => {
  await bin?.remove();
  bin = undefined;
});

describe('registry mirror', () => {
  it('finds the mirror by name first: starts a stopped one and joins it to the kind network, creating nothing', async () => {
    bin = await createStandInBin({
      docker: [{ match: ['container', 'inspect'], stdout: 'false {"bridge":{}}\n' }],
    });
    let created = 0;
    const mirror = await ensureRegistryMirror({
      engine: 'docker',
      env: bin.env(),
      signal: new AbortController().signal,
      start: async () => {
        created++;
        return { url: 'unused' };
      },
    });
    expect(mirror.url).toBe('http://aus-registry-mirror:5000');
    expect(created).toBe(0);
    expect((await bin.calls()).map((c) => c.argv.join(' ')).slice(1)).toEqual([
      'start aus-registry-mirror',
      'network connect kind aus-registry-mirror',
    ]);
  });

  it('creates the mirror only when no container has its name', async () => {
    bin = await createStandInBin({ docker: [{ match: ['container', 'inspect'], exitCode: 1 }] });
    let created = 0;
    await ensureRegistryMirror({
      engine: 'docker',
      env: bin.env(),
      signal: new AbortController().signal,
      start: async () => {
        created++;
        return { url: 'http://aus-registry-mirror:5000' };
      },
    });
    expect(created).toBe(1);
  });
});
