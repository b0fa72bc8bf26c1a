import type { FormatName } from 'ajv-formats/dist/formats.js';

/** An OpenAPI v3 / JSON Schema node as found in a CRD; values stay `unknown` until inspected. */
export type SchemaNode = { [keyword: string]: unknown };

export function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Keywords that only document or drive the apiserver (defaulting, list/map merge); ajv needs none of them.
const DROPPED = new Set(['description', 'default', 'example', 'externalDocs', 'nullable']);

// Formats the apiserver also checks (and ajv-formats knows); other formats are informational there too.
export const CHECKED_FORMATS: ReadonlySet<FormatName> = new Set<FormatName>([
  'int32',
  'int64',
  'double',
  'byte',
  'date-time',
  'ipv4',
  'ipv6',
]);

/**
 * Converts a CRD `openAPIV3Schema` into a JSON Schema that ajv can check the way the apiserver prunes:
 * - an object node of the structural skeleton (reached through properties/items/additionalProperties)
 *   that lists `properties` gets `additionalProperties: false` unless it has
 *   `x-kubernetes-preserve-unknown-fields: true` or its own `additionalProperties`, so unknown fields fail
 *   instead of being silently pruned;
 * - `x-kubernetes-int-or-string` becomes `type: [integer, string]`, `nullable` adds `null`;
 * - every other `x-kubernetes-*` keyword and documentation keyword is dropped.
 * Nodes inside anyOf/oneOf/allOf/not are value validations only (structural schemas forbid new fields
 * there), so they never get `additionalProperties: false`.
 */
export function toAjvSchema(node: SchemaNode, structural = true): SchemaNode {
  const out: SchemaNode = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (DROPPED.has(keyword) || keyword.startsWith('x-kubernetes-')) continue;
    if (keyword === 'format' && (typeof value !== 'string' || !CHECKED_FORMATS.has(value as FormatName)))
      continue;
    if (keyword === 'properties' && isSchemaNode(value)) {
      const properties: SchemaNode = {};
      for (const [name, child] of Object.entries(value)) {
        properties[name] = isSchemaNode(child) ? toAjvSchema(child, structural) : child;
      }
      out.properties = properties;
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && isSchemaNode(value)) {
      out[keyword] = toAjvSchema(value, structural);
    } else if ((keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'allOf') && Array.isArray(value)) {
      out[keyword] = value.map((child: unknown) => (isSchemaNode(child) ? toAjvSchema(child, false) : child));
    } else if (keyword === 'not' && isSchemaNode(value)) {
      out.not = toAjvSchema(value, false);
    } else {
      out[keyword] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
  }
  if (node.nullable === true) allowNull(out);
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (
    structural &&
    isSchemaNode(out.properties) &&
    !preserveUnknown &&
    out.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function allowNull(out: SchemaNode): void {
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
}

/**
 * Converts a CRD version's root schema. The apiserver always accepts `apiVersion`, `kind` and `metadata`
 * at the root even when the schema does not list them (Istio's CRDs list only spec and status); metadata
 * is checked separately.
 */
export function toAjvRootSchema(root: SchemaNode): SchemaNode {
  const converted = toAjvSchema(root);
  const properties = isSchemaNode(converted.properties) ? converted.properties : {};
  converted.properties = {
    ...properties,
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
  };
  if (converted.additionalProperties === undefined && root['x-kubernetes-preserve-unknown-fields'] !== true) {
    converted.additionalProperties = false;
  }
  return converted;
}
