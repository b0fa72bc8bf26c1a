/**
 * In-memory object store of the fake Kubernetes API: resource definitions (served as discovery), objects with
 * resourceVersions, the event history watches replay from, and label/field selector matching.
 */

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export type StoredObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  resourceVersion: number;
  type: WatchEventType;
  resource: ResourceDef;
  object: StoredObject;
}

export const defaultResources: ResourceDef[] = [
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    namespaced: true,
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: false },
];

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string };

function parseSelector(selector: string | null): Requirement[] {
  if (!selector) return [];
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((term): Requirement => {
      const ne = term.indexOf('!=');
      if (ne > 0) return { key: term.slice(0, ne), op: '!=', value: term.slice(ne + 2) };
      const eq = term.indexOf('=');
      if (eq > 0) return { key: term.slice(0, eq), op: '=', value: term.slice(eq + 1).replace(/^=/, '') };
      if (term.startsWith('!')) return { key: term.slice(1), op: '!exists' };
      return { key: term, op: 'exists' };
    });
}

function holds(requirements: Requirement[], read: (key: string) => string | undefined): boolean {
  return requirements.every((r) => {
    const value = read(r.key);
    if (r.op === 'exists') return value !== undefined;
    if (r.op === '!exists') return value === undefined;
    if (r.op === '=') return value === r.value;
    return value !== r.value;
  });
}

function fieldOf(object: StoredObject, path: string): string | undefined {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? undefined : String(current);
}

export function matches(
  object: StoredObject,
  namespace: string | undefined,
  labelSelector: string | null,
  fieldSelector: string | null,
): boolean {
  if (namespace !== undefined && object.metadata.namespace !== namespace) return false;
  const labels = (object.metadata.labels ?? {}) as Record<string, string>;
  return (
    holds(parseSelector(labelSelector), (k) => labels[k]) &&
    holds(parseSelector(fieldSelector), (k) => fieldOf(object, k))
  );
}

export class FakeStore {
  readonly resources: ResourceDef[];
  private readonly objects = new Map<string, { resource: ResourceDef; object: StoredObject }>();
  readonly history: StoreEvent[] = [];
  private revision = 100;
  private uidCounter = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(resources: ResourceDef[] = defaultResources) {
    this.resources = [...resources];
  }

  get resourceVersion(): number {
    return this.revision;
  }

  resourceFor(apiVersion: string, kind: string): ResourceDef {
    const def = this.resources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
    if (!def) throw new Error(`fake API: unknown kind ${apiVersion} ${kind}`);
    return def;
  }

  private key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return `${apiVersionOf(def)}|${def.kind}|${def.namespaced ? (namespace ?? 'default') : ''}|${name}`;
  }

  onChange(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(this.key(def, namespace, name))?.object;
  }

  list(def: ResourceDef, namespace: string | undefined): StoredObject[] {
    return [...this.objects.values()]
      .filter(
        (e) => e.resource === def && (namespace === undefined || e.object.metadata.namespace === namespace),
      )
      .map((e) => e.object)
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      );
  }

  private emit(type: WatchEventType, resource: ResourceDef, object: StoredObject): void {
    const event = { resourceVersion: this.revision, type, resource, object };
    this.history.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Creates or replaces an object as a client write would: new resourceVersion, uid kept, generation bumped on spec change. */
  put(input: StoredObject): StoredObject {
    const def = this.resourceFor(input.apiVersion, input.kind);
    const namespace = def.namespaced ? (input.metadata.namespace ?? 'default') : undefined;
    const k = this.key(def, namespace, input.metadata.name);
    const existing = this.objects.get(k)?.object;
    this.revision++;
    const specChanged = JSON.stringify(existing?.spec) !== JSON.stringify(input.spec);
    const previousGeneration = Number(existing?.metadata.generation ?? 0);
    const object: StoredObject = structuredClone(input);
    object.metadata = {
      ...object.metadata,
      ...(namespace === undefined ? {} : { namespace }),
      uid: existing?.metadata.uid ?? input.metadata.uid ?? `uid-${++this.uidCounter}`,
      creationTimestamp:
        existing?.metadata.creationTimestamp ?? input.metadata.creationTimestamp ?? new Date(0).toISOString(),
      resourceVersion: String(this.revision),
      generation: existing
        ? previousGeneration + (specChanged ? 1 : 0)
        : Number(input.metadata.generation ?? 1),
    };
    this.objects.set(k, { resource: def, object });
    this.emit(existing ? 'MODIFIED' : 'ADDED', def, object);
    return object;
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string): StoredObject | undefined {
    const k = this.key(def, namespace, name);
    const entry = this.objects.get(k);
    if (!entry) return undefined;
    this.objects.delete(k);
    this.revision++;
    const object = {
      ...entry.object,
      metadata: { ...entry.object.metadata, resourceVersion: String(this.revision) },
    };
    this.emit('DELETED', def, object);
    return object;
  }
}
