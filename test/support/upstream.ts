import { inject } from 'vitest';

/**
 * A folder laid out like ../shared/upstream holding every pinned upstream file (the local copy, or the
 * digest-checked download cache), resolved by test/support/upstream-setup.ts before the tests load.
 */
export const UPSTREAM_DIR: string = inject('upstreamDir');

/** `<UPSTREAM_DIR>/<parts…>`. */
export function upstreamPath(...parts: string[]): string {
  return [UPSTREAM_DIR.replace(/\/+$/, ''), ...parts].join('/');
}
