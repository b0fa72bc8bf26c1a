import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ObjectRef } from './types.ts';

/**
 * What one run did to a cluster, appended line by line to `runs/<id>/inventory.jsonl` before (intent) and after
 * (uid) each change, so a crash between the two still leaves a record. The sweep and `cleanup` act on this file
 * and nothing else: an object is deleted only when it is listed here, still carries the run's label and, when its
 * uid was recorded, still has that uid.
 */
export const INVENTORY_FILE = 'inventory.jsonl';

const Ref = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

export const InventoryEntry = z.discriminatedUnion('type', [
  /** The run created this object (uid absent: the create was under way when the run stopped). */
  z.object({ type: z.literal('created'), ref: Ref, uid: z.string().optional(), at: z.string() }),
  /**
   * Labels the run changed on an object it did not create (namespace `default`, nodes), with their previous
   * values (`null`: the label was absent). Restored exactly by the sweep.
   */
  z.object({
    type: z.literal('labels'),
    ref: Ref,
    previous: z.record(z.string(), z.string().nullable()),
    at: z.string(),
  }),
  /** A Helm release the run installed (or began to), and whether Helm created its namespace. */
  z.object({
    type: z.literal('helm-release'),
    name: z.string(),
    namespace: z.string(),
    createdNamespace: z.boolean(),
    at: z.string(),
  }),
  /**
   * CRDs (and their admission policies) the run installed, as `Kind name`: they stay (deleting a CRD deletes every
   * object of its kind, other users' included) and are reported.
   */
  z.object({ type: z.literal('crds'), names: z.array(z.string()), at: z.string() }),
]);
export type InventoryEntry = z.infer<typeof InventoryEntry>;

type Unstamped<T> = T extends { at: string } ? Omit<T, 'at'> : never;
export type NewInventoryEntry = Unstamped<InventoryEntry>;

export const refKey = (ref: ObjectRef): string =>
  `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

export class Inventory {
  readonly file: string;

  constructor(runDir: string) {
    this.file = join(runDir, INVENTORY_FILE);
  }

  /** Appends one entry; appends of one short line are atomic, so the launch process and vitest may share it. */
  async record(entry: NewInventoryEntry): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
  }

  /** Every entry in order; a missing file is an empty inventory, a damaged line is an error naming the file. */
  async read(): Promise<InventoryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines = text.split('\n');
    return lines.flatMap((line, index) => {
      if (line.trim() === '') return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // A run killed mid-append leaves at most a torn last line: that write never reached the cluster.
        if (index === lines.length - 1 || lines.slice(index + 1).every((l) => l.trim() === '')) return [];
        throw new Error(`${this.file} line ${index + 1} is not JSON — the inventory is damaged`);
      }
      const entry = InventoryEntry.safeParse(parsed);
      if (!entry.success) throw new Error(`${this.file} line ${index + 1} is not an inventory entry`);
      return [entry.data];
    });
  }
}

/** The objects the run created, newest record per object (uid filled in when known), in creation order. */
export function createdObjects(entries: readonly InventoryEntry[]): { ref: ObjectRef; uid?: string }[] {
  const byKey = new Map<string, { ref: ObjectRef; uid?: string }>();
  for (const entry of entries) {
    if (entry.type !== 'created') continue;
    const key = refKey(entry.ref);
    const known = byKey.get(key);
    // Several uids for one name: each scenario re-creates; the sweep checks the label, so keep the latest uid.
    byKey.set(key, {
      ref: entry.ref,
      ...(entry.uid ? { uid: entry.uid } : known?.uid ? { uid: known.uid } : {}),
    });
  }
  return [...byKey.values()];
}

/**
 * The labels to write back on each object the run labelled: the value each key had before the run first changed
 * it. Later entries for the same key (a second scenario labelling again after a restore) do not override the first.
 */
export function labelRestores(
  entries: readonly InventoryEntry[],
): { ref: ObjectRef; labels: Record<string, string | null> }[] {
  const byKey = new Map<string, { ref: ObjectRef; labels: Record<string, string | null> }>();
  for (const entry of entries) {
    if (entry.type !== 'labels') continue;
    const key = refKey(entry.ref);
    const restore = byKey.get(key) ?? { ref: entry.ref, labels: {} };
    for (const [label, value] of Object.entries(entry.previous)) {
      if (!(label in restore.labels)) restore.labels[label] = value;
    }
    byKey.set(key, restore);
  }
  return [...byKey.values()];
}
