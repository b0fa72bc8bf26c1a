import { describe, expect, it } from 'vitest';
import {
  expectedRevisionName,
  istiodName,
  istioRevisions,
  revisionFromIstiodPodName,
  tagRevision,
} from '../../../helpers/mesh/revisions.ts';
import { sailCr } from './fixtures.ts';

describe('revision naming (Sail getActiveRevisionName)', () => {
  it.each([
    ['default', 'v1.30.3', 'InPlace', 'default'],
    ['default', 'v1.30.3', 'RevisionBased', 'default-v1-30-3'],
    ['default', 'v1.30-latest', 'RevisionBased', 'default-v1-30-latest'],
    ['mesh', 'v1.31.0-beta.1', 'RevisionBased', 'mesh-v1-31-0-beta-1'],
  ] as const)('%s %s %s → %s', (name, version, strategy, expected) => {
    expect(expectedRevisionName(name, version, strategy)).toBe(expected);
  });

  it('istiod names and the revision in an istiod pod name', () => {
    expect(istiodName('default')).toBe('istiod');
    expect(istiodName('default-v1-30-3')).toBe('istiod-default-v1-30-3');
    expect(revisionFromIstiodPodName('istiod-6cf8d4f9cb-wm7x6')).toBe('default');
    expect(revisionFromIstiodPodName('istiod-default-v1-30-3-7b9f8c5d6-xyz78')).toBe('default-v1-30-3');
    expect(revisionFromIstiodPodName('istiod-6cf8d4f9cb-wm7x6.istio-system')).toBe('default');
    expect(revisionFromIstiodPodName('istiod1')).toBeUndefined();
  });

  it('reads active revision, expected revision and counts from an Istio CR', () => {
    const view = istioRevisions(
      sailCr('Istio', {
        version: 'v1.30.3',
        strategy: 'RevisionBased',
        activeRevisionName: 'default-v1-28-10',
      }),
    );
    expect(view).toMatchObject({
      strategy: 'RevisionBased',
      active: 'default-v1-28-10',
      expectedActive: 'default-v1-30-3',
      total: 1,
    });
    expect(istioRevisions(sailCr('Istio')).strategy).toBe('InPlace');
  });

  it('tag → revision', () => {
    expect(tagRevision(sailCr('IstioRevisionTag', { istioRevision: 'default-v1-30-3' }))).toBe(
      'default-v1-30-3',
    );
  });
});
