import { isSchemaNode, type SchemaNode } from './convert-schema.ts';

type Check = (self: unknown) => boolean;

function field(value: unknown, key: string): unknown {
  return isSchemaNode(value) ? value[key] : undefined;
}

function has(value: unknown, key: string): boolean {
  return field(value, key) !== undefined;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return isSchemaNode(value) ? Object.keys(value).length : 0;
}

/**
 * The CEL `x-kubernetes-validations` rules that matter to the suite's objects, re-implemented by hand
 * (ajv cannot run CEL). Keyed by the rule text with whitespace collapsed, so a reworded upstream rule
 * shows up as "not checked" instead of being checked wrongly. Defaults the apiserver applies before CEL
 * (backendRef group "" and kind Service) are applied here too.
 */
export const IMPLEMENTED_CEL_RULES: ReadonlyMap<string, Check> = new Map<string, Check>([
  // IstioCNI and ZTunnel are singletons.
  ["self.metadata.name == 'default'", (self) => field(field(self, 'metadata'), 'name') === 'default'],
  // Istio: values.global.istioNamespace, when set, must equal spec.namespace.
  [
    '!has(self.values) || !has(self.values.global) || !has(self.values.global.istioNamespace) || self.values.global.istioNamespace == self.__namespace__',
    (self) => {
      const istioNamespace = field(field(field(self, 'values'), 'global'), 'istioNamespace');
      return istioNamespace === undefined || istioNamespace === field(self, 'namespace');
    },
  ],
  // HTTPRoute backendRef to a core Service needs a port.
  [
    "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
    (self) => {
      const group = field(self, 'group') ?? '';
      const kind = field(self, 'kind') ?? 'Service';
      return !(sizeOf(group) === 0 && kind === 'Service') || has(self, 'port');
    },
  ],
  // Gateway listener names are unique.
  [
    'self.all(l1, self.exists_one(l2, l1.name == l2.name))',
    (self) => {
      const names = Array.isArray(self) ? self.map((listener) => field(listener, 'name')) : [];
      return new Set(names).size === names.length;
    },
  ],
  // Gateway: plain HTTP/TCP/UDP listeners carry no TLS block.
  [
    "self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)",
    (self) =>
      !Array.isArray(self) ||
      self.every(
        (listener) =>
          !['HTTP', 'TCP', 'UDP'].includes(String(field(listener, 'protocol'))) || !has(listener, 'tls'),
      ),
  ],
  // AuthorizationPolicy: at most one of selector, targetRef, targetRefs.
  [
    '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1',
    (self) => ['selector', 'targetRef', 'targetRefs'].filter((key) => has(self, key)).length <= 1,
  ],
  // AuthorizationPolicy targetRef(s).namespace must be empty (same-namespace only).
  ['self.size() == 0', (self) => sizeOf(self) === 0],
]);

export interface CelOutcome {
  /** `<path>: <CRD message>` for every implemented rule that failed. */
  errors: string[];
  /** `<path>: <rule>` for rules on present fields that are not implemented (not evaluated). */
  unchecked: string[];
}

const RuleSchema = (value: unknown): { rule: string; message?: string } | undefined => {
  const rule = field(value, 'rule');
  const message = field(value, 'message');
  if (typeof rule !== 'string') return undefined;
  return typeof message === 'string' ? { rule, message } : { rule };
};

export function normaliseRule(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

/**
 * Walks the original CRD schema alongside an object and evaluates the implemented CEL rules on every
 * field that is present. Transition rules (`oldSelf`) only apply to updates and are skipped.
 */
export function checkCelRules(schema: SchemaNode, instance: unknown): CelOutcome {
  const outcome: CelOutcome = { errors: [], unchecked: [] };
  walk(schema, instance, '', outcome);
  return outcome;
}

function walk(schema: SchemaNode, value: unknown, path: string, outcome: CelOutcome): void {
  if (value === undefined) return;
  const rules = schema['x-kubernetes-validations'];
  if (Array.isArray(rules)) {
    for (const entry of rules) {
      const parsed = RuleSchema(entry);
      if (!parsed) continue;
      const rule = normaliseRule(parsed.rule);
      if (/\boldSelf\b/.test(rule)) continue;
      const check = IMPLEMENTED_CEL_RULES.get(rule);
      if (!check) {
        outcome.unchecked.push(`${path || '/'}: ${rule.length > 80 ? `${rule.slice(0, 77)}...` : rule}`);
      } else if (!check(value)) {
        outcome.errors.push(`${path || '/'}: ${parsed.message ?? `fails rule ${rule}`}`);
      }
    }
  }
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
