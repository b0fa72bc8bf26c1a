import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sailReady } from '../../../helpers/mesh/readiness.ts';
import { istioRevisions, tagRevision } from '../../../helpers/mesh/revisions.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';
import { sailCr } from '../../unit/mesh/fixtures.ts';

// The status objects the unit tests build must be ones the real Sail CRDs admit, and every status field the
// readiness code reads must exist in the CRD schema (a renamed field upstream would silently read undefined).
const DIR = join(UPSTREAM_DIR, 'sail-operator', 'crds');

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

function statusSchema(file: string): Schema {
  const crd = parse(readFileSync(join(DIR, file), 'utf8')) as {
    spec: { versions: { name: string; storage: boolean; schema: { openAPIV3Schema: Schema } }[] };
  };
  const storage = crd.spec.versions.find((v) => v.storage);
  const status = storage?.schema.openAPIV3Schema.properties?.status;
  if (!status) throw new Error(`${file}: no status schema`);
  return status;
}

/** Paths in `value` the schema does not declare, or declares with another JSON type. */
function violations(value: unknown, schema: Schema, path = 'status'): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields']) return [];
  const type = Array.isArray(value)
    ? 'array'
    : typeof value === 'number'
      ? Number.isInteger(value)
        ? 'integer'
        : 'number'
      : typeof value;
  if (schema.type && schema.type !== type && !(schema.type === 'number' && type === 'integer'))
    return [`${path}: ${type}, schema says ${schema.type}`];
  if (Array.isArray(value))
    return value.flatMap((v, i) => (schema.items ? violations(v, schema.items, `${path}[${i}]`) : []));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      const sub = schema.properties?.[k];
      return sub ? violations(v, sub, `${path}.${k}`) : [`${path}.${k}: not in the schema`];
    });
  }
  return [];
}

describe.each([
  ['Istio', 'sailoperator.io_istios.yaml'],
  ['IstioRevision', 'sailoperator.io_istiorevisions.yaml'],
  ['IstioRevisionTag', 'sailoperator.io_istiorevisiontags.yaml'],
  ['IstioCNI', 'sailoperator.io_istiocnis.yaml'],
  ['ZTunnel', 'sailoperator.io_ztunnels.yaml'],
] as const)('%s status', (kind, file) => {
  const schema = statusSchema(file);
  it('declares the fields readiness reads', () => {
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['observedGeneration', 'conditions', 'state']),
    );
    expect(Object.keys(schema.properties?.conditions?.items?.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'status', 'reason', 'message', 'lastTransitionTime']),
    );
  });
  it('admits the test fixture status, and readiness accepts it', () => {
    const extra =
      kind === 'Istio'
        ? { activeRevisionName: 'default' }
        : kind === 'IstioRevisionTag' || kind === 'ZTunnel'
          ? { istioRevision: 'default' }
          : {};
    const cr = sailCr(kind, extra);
    expect(violations(cr.status, schema)).toEqual([]);
    expect(sailReady(cr).done).toBe(true);
  });
  it('rejects a made-up status field (the checker can fail)', () => {
    expect(violations({ readyReplicas: 1 }, schema)).toEqual(['status.readyReplicas: not in the schema']);
  });
});

describe('fields only some kinds have', () => {
  it('Istio: activeRevisionName and revisions{total,ready,inUse}', () => {
    const s = statusSchema('sailoperator.io_istios.yaml');
    expect(Object.keys(s.properties?.revisions?.properties ?? {}).sort()).toEqual([
      'inUse',
      'ready',
      'total',
    ]);
    expect(istioRevisions(sailCr('Istio', { activeRevisionName: 'default' })).active).toBe('default');
  });
  it('IstioRevisionTag and ZTunnel v1: istioRevision', () => {
    expect(statusSchema('sailoperator.io_istiorevisiontags.yaml').properties?.istioRevision?.type).toBe(
      'string',
    );
    expect(statusSchema('sailoperator.io_ztunnels.yaml').properties?.istioRevision?.type).toBe('string');
    expect(tagRevision(sailCr('IstioRevisionTag', { istioRevision: 'default-v1-30-3' }))).toBe(
      'default-v1-30-3',
    );
  });
});
