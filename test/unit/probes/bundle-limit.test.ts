import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../helpers/errors.ts';
import { assertFitsConfigMap, CONFIGMAP_LIMIT_BYTES } from '../../../helpers/probes/bundle.ts';

describe('assertFitsConfigMap', () => {
  it('accepts a bundle just under 1 MiB', () => {
    expect(() => assertFitsConfigMap(CONFIGMAP_LIMIT_BYTES - 1)).not.toThrow();
  });

  it.each([CONFIGMAP_LIMIT_BYTES, CONFIGMAP_LIMIT_BYTES + 1])(
    'refuses %i bytes with a one-line user error',
    (n) => {
      let caught: unknown;
      try {
        assertFitsConfigMap(n);
      } catch (error) {
        caught = error;
      }
      expect(isUserError(caught)).toBe(true);
      expect(String((caught as Error).message)).toMatch(
        new RegExp(`${n} bytes, over the 1048576-byte ConfigMap limit — `),
      );
      expect((caught as Error).message).not.toContain('\n');
    },
  );
});
