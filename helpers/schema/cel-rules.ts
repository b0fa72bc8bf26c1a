import { Environment } from '@marcbachmann/cel-js';
import { isSchemaNode, type SchemaNode } from './convert-schema.ts';

// The CRDs' own `x-kubernetes-validations` rules, evaluated by a CEL library (@marcbachmann/cel-js) instead of
// re-implemented by hand. A rule that calls a function of the Kubernetes CEL library the JS library lacks
// (url(), isURL(), isIP(), quantity(), …) is left to the real apiserver and reported as not checked.

const environment = new Environment({ unlistedVariablesAreDyn: true });

/** Every function and macro the library defines (its standard library and string extensions). */
export const LIBRARY_FUNCTIONS: ReadonlySet<string> = new Set(
  environment.getDefinitions().functions.map((definition) => definition.name),
);

export function normaliseRule(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

/** Names called in a rule (`f(` and `.f(`). */
export function calledFunctions(rule: string): string[] {
  return [...new Set([...rule.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((match) => match[1] ?? ''))];
}

export type RuleHandling = 'library' | 'apiserver' | 'transition';

/** Who evaluates a rule: the library, the apiserver (a function the library lacks), or nobody here (`oldSelf`). */
export function ruleHandling(rule: string): RuleHandling {
  if (/\boldSelf\b/.test(rule)) return 'transition';
  return calledFunctions(rule).every((name) => LIBRARY_FUNCTIONS.has(name)) ? 'library' : 'apiserver';
}

type Compiled = (context: Record<string, unknown>) => unknown;
const compiled = new Map<string, Compiled | Error>();

function compile(rule: string): Compiled | Error {
  let entry = compiled.get(rule);
  if (entry === undefined) {
    try {
      entry = environment.parse(rule) as Compiled;
    } catch (error) {
      entry = error instanceof Error ? error : new Error(String(error));
    }
    compiled.set(rule, entry);
  }
  return entry;
}

// CEL reserved words a Kubernetes property may be named; the apiserver exposes them as `__<word>__`.
const RESERVED = new Set(
  'as break const continue else false for function if import in let loop package namespace null return true var void while'.split(
    ' ',
  ),
);

function escapeName(name: string): string | undefined {
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/[_.\-/]/.test(name)) return undefined;
  const escaped = name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
  return escaped === name ? undefined : escaped;
}

/**
 * The value as the apiserver hands it to CEL: schema defaults applied (they run before validation), integers
 * as CEL ints, and properties with reserved or special names also under their escaped name.
 */
function celValue(schema: SchemaNode | undefined, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema && isSchemaNode(schema.items) ? schema.items : undefined;
    return value.map((item) => celValue(items, item));
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && schema?.type !== 'number' ? BigInt(value) : value;
  }
  if (!isSchemaNode(value)) return value;
  const properties = schema && isSchemaNode(schema.properties) ? schema.properties : {};
  const additional =
    schema && isSchemaNode(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const withDefaults: Record<string, unknown> = { ...value };
  for (const [name, child] of Object.entries(properties)) {
    if (withDefaults[name] === undefined && isSchemaNode(child) && child.default !== undefined) {
      withDefaults[name] = structuredClone(child.default);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(withDefaults)) {
    const childSchema = properties[name];
    const converted = celValue(isSchemaNode(childSchema) ? childSchema : additional, child);
    out[name] = converted;
    const escaped = escapeName(name);
    if (escaped !== undefined) out[escaped] = converted;
  }
  return out;
}

export interface CelOutcome {
  /** `<path>: <CRD message>` for every evaluated rule that returned false. */
  errors: string[];
  /** `<path>: <rule>` for rules on present fields left to the apiserver (a function the library lacks, or an
   * evaluation error the library raises where cel-go would not). */
  unchecked: string[];
}

const RuleSchema = (value: unknown): { rule: string; message?: string } | undefined => {
  const rule = isSchemaNode(value) ? value.rule : undefined;
  const message = isSchemaNode(value) ? value.message : undefined;
  if (typeof rule !== 'string') return undefined;
  return typeof message === 'string' ? { rule, message } : { rule };
};

/**
 * Walks the original CRD schema alongside an object and evaluates every rule on every field that is present.
 * Transition rules (`oldSelf`) only apply to updates and are skipped.
 */
export function checkCelRules(schema: SchemaNode, instance: unknown): CelOutcome {
  const outcome: CelOutcome = { errors: [], unchecked: [] };
  walk(schema, instance, '', outcome);
  return outcome;
}

function evaluate(schema: SchemaNode, value: unknown, path: string, outcome: CelOutcome): void {
  const rules = schema['x-kubernetes-validations'];
  if (!Array.isArray(rules)) return;
  let self: unknown;
  for (const entry of rules) {
    const parsed = RuleSchema(entry);
    if (!parsed) continue;
    const rule = normaliseRule(parsed.rule);
    const handling = ruleHandling(rule);
    if (handling === 'transition') continue;
    const shown = rule.length > 80 ? `${rule.slice(0, 77)}...` : rule;
    const program = handling === 'library' ? compile(rule) : undefined;
    if (program === undefined || program instanceof Error) {
      outcome.unchecked.push(`${path || '/'}: ${shown}`);
      continue;
    }
    self ??= celValue(schema, value);
    let result: unknown;
    try {
      result = program({ self });
    } catch (error) {
      // Where the library and cel-go disagree (has() on a nested select, an error short-circuited by &&), the
      // rule is not judged here: it goes to the apiserver, and the validator says so.
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      outcome.unchecked.push(`${path || '/'}: ${shown} (library: ${why})`);
      continue;
    }
    if (result !== true) outcome.errors.push(`${path || '/'}: ${parsed.message ?? `fails rule ${rule}`}`);
  }
}

function walk(schema: SchemaNode, value: unknown, path: string, outcome: CelOutcome): void {
  if (value === undefined) return;
  evaluate(schema, value, path, outcome);
  const { properties, items, additionalProperties } = schema;
  if (isSchemaNode(properties) && isSchemaNode(value)) {
    for (const [name, child] of Object.entries(properties)) {
      if (isSchemaNode(child)) walk(child, value[name], `${path}/${name}`, outcome);
    }
  }
  if (isSchemaNode(items) && Array.isArray(value)) {
    for (const [index, element] of value.entries()) walk(items, element, `${path}/${index}`, outcome);
  }
  if (isSchemaNode(additionalProperties) && isSchemaNode(value)) {
    const known = isSchemaNode(properties) ? properties : {};
    for (const [name, child] of Object.entries(value)) {
      if (!(name in known)) walk(additionalProperties, child, `${path}/${name}`, outcome);
    }
  }
}
