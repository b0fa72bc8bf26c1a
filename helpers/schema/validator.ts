import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { KubeObject } from '../k8s/types.ts';
import { checkCelRules } from './cel-rules.ts';
import { CHECKED_FORMATS, type SchemaNode, toAjvRootSchema } from './convert-schema.ts';
import { CORE_KINDS } from './core-kinds.ts';
import { type Crd, parseCrd } from './crd.ts';

/** How an object was checked: against a real CRD schema, or (core kinds) against the suite's zod schema. */
export type CheckedBy = 'crd-schema' | 'core-zod';

export type ValidationResult =
  | {
      ok: true;
      checkedBy: CheckedBy;
      /** CEL rules on present fields that were not evaluated (see cel-rules.ts). */
      celNotChecked: string[];
    }
  | { ok: false; errors: string[] };

export interface SchemaValidator {
  validate(object: KubeObject): ValidationResult;
  /** Every `apiVersion/Kind` this validator can check (served CRD versions and the core kinds). */
  kinds(): string[];
}

const MAX_ERRORS = 20;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

interface ServedVersion {
  crd: Crd;
  schema: SchemaNode;
}

/**
 * Validates objects against the `openAPIV3Schema` of the given CRDs with unknown fields rejected (see
 * convert-schema.ts), plus metadata and the CEL rules in cel-rules.ts. Each kind/version compiles on first
 * use and is cached: the Istio CRD alone is ~420 KB. A later CRD for the same group/kind replaces an
 * earlier one.
 */
export function createSchemaValidator(crds: KubeObject[]): SchemaValidator {
  const served = new Map<string, ServedVersion>();
  for (const object of crds) {
    const crd = parseCrd(object);
    for (const version of crd.spec.versions) {
      if (!version.served || !version.schema) continue;
      served.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
        crd,
        schema: version.schema.openAPIV3Schema,
      });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv, [...CHECKED_FORMATS]);
  const compiled = new Map<string, ValidateFunction>();

  function compile(key: string, entry: ServedVersion): ValidateFunction {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(toAjvRootSchema(entry.schema));
      compiled.set(key, fn);
    }
    return fn;
  }

  function validate(object: KubeObject): ValidationResult {
    const label = describe(object);
    const key = `${object.apiVersion}/${object.kind}`;
    const core = CORE_KINDS.get(key);
    const entry = served.get(key);
    if (!core && !entry) {
      return { ok: false, errors: [`${label}: ${unknownKindMessage(object, served)}`] };
    }
    const namespaced = core ? core.namespaced : entry?.crd.spec.scope === 'Namespaced';
    const errors = checkMetadata(object, namespaced);
    if (core) {
      const parsed = core.schema.safeParse(object);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) errors.push(`/${issue.path.join('/')}: ${issue.message}`);
      }
      return errors.length > 0
        ? { ok: false, errors: errors.map((error) => `${label}: ${error}`) }
        : { ok: true, checkedBy: 'core-zod', celNotChecked: [] };
    }
    if (!entry) throw new Error('unreachable: kind has neither a CRD nor a core schema');
    const fn = compile(key, entry);
    if (!fn(object)) errors.push(...formatAjvErrors(fn.errors ?? []));
    const cel = checkCelRules(entry.schema, object);
    errors.push(...cel.errors);
    if (errors.length > 0) {
      const unique = [...new Set(errors)];
      const shown = unique.slice(0, MAX_ERRORS).map((error) => `${label}: ${error}`);
      if (unique.length > MAX_ERRORS) shown.push(`${label}: … and ${unique.length - MAX_ERRORS} more`);
      return { ok: false, errors: shown };
    }
    return { ok: true, checkedBy: 'crd-schema', celNotChecked: cel.unchecked };
  }

  return {
    validate,
    kinds: () => [...served.keys(), ...CORE_KINDS.keys()].sort(),
  };
}

function describe(object: KubeObject): string {
  const name = object.metadata?.name ?? '<no name>';
  return object.metadata?.namespace
    ? `${object.kind} ${object.metadata.namespace}/${name}`
    : `${object.kind} ${name}`;
}

function unknownKindMessage(object: KubeObject, served: Map<string, ServedVersion>): string {
  const sameKind = [...served.keys()].filter((key) => key.endsWith(`/${object.kind}`));
  const hint = sameKind.length > 0 ? ` (served: ${sameKind.join(', ')})` : '';
  return `no CRD serves ${object.apiVersion} ${object.kind}${hint} — load its CRD or fix apiVersion/kind`;
}

function checkMetadata(object: KubeObject, namespaced: boolean): string[] {
  const errors: string[] = [];
  const { name, namespace, labels } = object.metadata ?? {};
  if (typeof name !== 'string' || name.length === 0) errors.push('/metadata/name: required');
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    errors.push(`/metadata/name: "${name}" is not a DNS subdomain`);
  if (namespaced && (typeof namespace !== 'string' || namespace.length === 0)) {
    errors.push('/metadata/namespace: required for a namespaced kind');
  }
  if (!namespaced && namespace !== undefined)
    errors.push('/metadata/namespace: must be absent for a cluster-scoped kind');
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(`/metadata/labels/${key}: "${String(value)}" is not a valid label value`);
    }
  }
  return errors;
}

function formatAjvErrors(errors: ErrorObject[]): string[] {
  return errors.map((error) => {
    const path = error.instancePath || '';
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties':
        return `${path}/${String(params.additionalProperty)}: unknown field`;
      case 'required':
        return `${path}/${String(params.missingProperty)}: required field missing`;
      case 'enum': {
        const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : [];
        const list = allowed.length > 8 ? `${allowed.slice(0, 8).join(', ')}, …` : allowed.join(', ');
        return `${path || '/'}: must be one of ${list}`;
      }
      default:
        return `${path || '/'}: ${error.message ?? error.keyword}`;
    }
  });
}
