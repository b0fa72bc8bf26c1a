import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  istiodOf,
  type ProxyStatus,
  shortType,
  splitProxyId,
  XDS_STATES,
  type XdsState,
} from './proxy-status.ts';

// `istioctl proxy-status` output, every layout istioctl has printed since 1.22 (FACTS §4; istio
// istioctl/pkg/writer/pilot/status.go): a cross-check for the syncz reader, never the only evidence.

export type TableLayout = 'per-type' | 'subscribed';

export interface ParsedTable {
  layout: TableLayout;
  /** Per-type column names in header order (empty for the subscribed layout). */
  types: string[];
  rows: ProxyStatus[];
}

interface Column {
  name: string;
  start: number;
}

/** Header cells are separated by 2+ spaces; single spaces stay inside a cell (`SUBSCRIBED TYPES`, `NOT SENT`). */
function columnsOf(header: string): Column[] {
  return [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], start: m.index ?? 0 }));
}

/**
 * Cells of one row. istioctl pads with a tabwriter, so every cell starts where its header does; slicing at those
 * offsets survives an empty cell, which splitting on 2+ spaces (what Sail's e2e does) would merge away. When a
 * line is not aligned to the header (copied, re-spaced), fall back to the split.
 */
function cellsOf(line: string, columns: readonly Column[]): string[] {
  const aligned = columns.every((c, i) => i === 0 || c.start >= line.length || line[c.start - 1] === ' ');
  if (aligned) {
    return columns.map((c, i) => line.slice(c.start, columns[i + 1]?.start ?? line.length).trim());
  }
  return line.trim().split(/\s{2,}/);
}

const CELL = new RegExp(`^(${XDS_STATES.join('|')})(?: \\((.+)\\))?$`);

/** `SYNCED (2m)` → SYNCED; an unrecognised cell is an Error naming it. */
export function parseStateCell(cell: string): XdsState | Error {
  const match = CELL.exec(cell.trim());
  const state = XDS_STATES.find((s) => s === match?.[1]);
  return state ?? new Error(`unrecognised xDS state cell "${cell}"`);
}

/** `5 (CDS,LDS,EDS,RDS,ECDS)` → the listed types; `0` → none. */
export function parseSubscribedCell(cell: string): string[] | Error {
  const match = /^(\d+)(?: \((.*)\))?$/.exec(cell.trim());
  if (!match) return new Error(`unrecognised SUBSCRIBED TYPES cell "${cell}"`);
  const types = match[2] ? match[2].split(',').map((t) => t.trim()) : [];
  if (types.length !== Number(match[1]))
    return new Error(`SUBSCRIBED TYPES cell "${cell}" lists ${types.length} types`);
  return types;
}

/**
 * Parses the table layouts: 1.22–1.26 `NAME CLUSTER CDS LDS EDS RDS ECDS ISTIOD VERSION`, ≥ 1.27 `-v 1` (the same
 * shape, one column per type sorted by type URL) and ≥ 1.27 `NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES`.
 * `istiodRevisions` maps istiod pod names to their `istio.io/rev` when known; otherwise the revision is read from
 * the pod name.
 */
export function parseProxyStatusTable(
  text: string,
  istiodRevisions: Record<string, string> = {},
): ParsedTable | Error {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) return new Error('proxy-status output is empty');
  const columns = columnsOf(header);
  const names = columns.map((c) => c.name);
  const at = (name: string): number => names.indexOf(name);
  if (names[0] !== 'NAME' || at('ISTIOD') < 0 || at('VERSION') < 0) {
    return new Error(`unrecognised proxy-status header "${header.trim()}"`);
  }
  const subscribed = at('SUBSCRIBED TYPES') >= 0;
  const firstType = at('CLUSTER') >= 0 ? at('CLUSTER') + 1 : 1;
  const types = subscribed ? [] : names.slice(firstType, at('ISTIOD'));
  const rows: ProxyStatus[] = [];
  for (const [index, line] of lines.slice(1).entries()) {
    const cells = cellsOf(line, columns);
    if (cells.length !== columns.length) {
      return new Error(
        `row ${index + 1} has ${cells.length} cells, header has ${columns.length}: "${line.trim()}"`,
      );
    }
    const cell = (name: string): string => cells[at(name)] ?? '';
    const xds: Record<string, XdsState> = {};
    for (const type of types) {
      const state = parseStateCell(cell(type));
      if (state instanceof Error) return new Error(`row ${index + 1}, column ${type}: ${state.message}`);
      xds[type] = state;
    }
    const istiodPod = (cell('ISTIOD').split('.')[0] ?? '').trim();
    const row: ProxyStatus = {
      ...splitProxyId(cell('NAME')),
      type: undefined,
      cluster: at('CLUSTER') >= 0 ? cell('CLUSTER') || undefined : undefined,
      istiod: istiodOf(istiodPod, istiodRevisions[istiodPod]),
      version: cell('VERSION') || undefined,
      xds,
      source: subscribed ? 'istioctl-subscribed' : 'istioctl-table',
    };
    if (subscribed) {
      const listed = parseSubscribedCell(cell('SUBSCRIBED TYPES'));
      if (listed instanceof Error) return new Error(`row ${index + 1}: ${listed.message}`);
      row.subscribedTypes = listed;
    }
    rows.push(row);
  }
  return { layout: subscribed ? 'subscribed' : 'per-type', types, rows };
}

// ≥ 1.30 `-o json|yaml`: the raw istio.io/debug/syncz DiscoveryResponse of each istiod, printed one after
// another (json: concatenated objects; yaml: concatenated maps without `---`).

const GenericXdsConfig = z.object({
  typeUrl: z.string(),
  // protojson omits the zero enum value: an absent status is UNKNOWN, which istioctl prints as IGNORED.
  configStatus: z.string().optional(),
  lastUpdated: z.string().optional(),
});

const ClientConfig = z.object({
  node: z.object({
    id: z.string(),
    metadata: z
      .object({
        CLUSTER_ID: z.string().optional(),
        ISTIO_VERSION: z.string().optional(),
        NAMESPACE: z.string().optional(),
      })
      .default({}),
  }),
  genericXdsConfigs: z.array(GenericXdsConfig).default([]),
});

const DiscoveryResponse = z.object({
  resources: z.array(ClientConfig).default([]),
  controlPlane: z.object({ identifier: z.string() }).optional(),
});

const ControlPlaneIdentifier = z.object({ Component: z.string().optional(), ID: z.string() });

const CONFIG_STATUS: Record<string, XdsState> = {
  SYNCED: 'SYNCED',
  STALE: 'STALE',
  ERROR: 'ERROR',
  NOT_SENT: 'NOT SENT',
  UNKNOWN: 'IGNORED',
};

/** Rows of `istioctl proxy-status -o json` or `-o yaml` (one DiscoveryResponse per istiod). */
export function parseProxyStatusMachine(
  text: string,
  format: 'json' | 'yaml',
  istiodRevisions: Record<string, string> = {},
): ProxyStatus[] | Error {
  let documents: unknown[];
  try {
    documents =
      format === 'json'
        ? splitJsonDocuments(text).map((d) => JSON.parse(d))
        : splitYamlDocuments(text).map((d) => parseYaml(d));
  } catch (error) {
    return new Error(`proxy-status -o ${format}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rows: ProxyStatus[] = [];
  for (const document of documents) {
    const response = DiscoveryResponse.safeParse(document);
    if (!response.success)
      return new Error(`proxy-status -o ${format}: ${response.error.issues[0]?.message}`);
    const identifier = response.data.controlPlane?.identifier;
    let istiodPod = '';
    if (identifier) {
      const id = ControlPlaneIdentifier.safeParse(safeJson(identifier));
      if (id.success) istiodPod = id.data.ID;
    }
    for (const config of response.data.resources) {
      const xds: Record<string, XdsState> = {};
      for (const generic of config.genericXdsConfigs) {
        const state = CONFIG_STATUS[generic.configStatus ?? 'UNKNOWN'];
        if (state === undefined) return new Error(`unknown configStatus ${generic.configStatus}`);
        xds[shortType(generic.typeUrl)] = state;
      }
      const meta = config.node.metadata;
      const id = splitProxyId(config.node.id);
      rows.push({
        proxy: id.proxy,
        namespace: id.namespace ?? meta.NAMESPACE,
        type: undefined,
        cluster: meta.CLUSTER_ID,
        istiod: istiodOf(istiodPod, istiodRevisions[istiodPod]),
        version: meta.ISTIO_VERSION,
        xds,
        source: 'istioctl-json',
      });
    }
  }
  return rows;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Splits concatenated JSON values at depth 0, honouring strings and escapes. */
export function splitJsonDocuments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && start >= 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

/** Splits concatenated YAML maps: a top-level key seen again (or `---`) starts the next document. */
export function splitYamlDocuments(text: string): string[] {
  const documents: string[][] = [[]];
  let keys = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) {
      documents.push([]);
      keys = new Set();
      continue;
    }
    const key = /^([^\s#-][^:]*):/.exec(line)?.[1];
    if (key !== undefined) {
      if (keys.has(key)) {
        documents.push([]);
        keys = new Set();
      }
      keys.add(key);
    }
    documents[documents.length - 1]?.push(line);
  }
  return documents.map((d) => d.join('\n')).filter((d) => d.trim() !== '');
}

/** Parses any proxy-status output by sniffing it: 1.27–1.29 accept `-o json` but print a table anyway. */
export function parseProxyStatusOutput(
  text: string,
  istiodRevisions: Record<string, string> = {},
): ProxyStatus[] | Error {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseProxyStatusMachine(text, 'json', istiodRevisions);
  if (trimmed.startsWith('NAME')) {
    const table = parseProxyStatusTable(text, istiodRevisions);
    return table instanceof Error ? table : table.rows;
  }
  return parseProxyStatusMachine(text, 'yaml', istiodRevisions);
}

export interface IstioctlTarget {
  kubeconfig: string;
  context?: string;
  /** Always pass it: since 1.28 an omitted revision means the default tag, absent under RevisionBased (FACTS §4). */
  revision: string;
  istioNamespace?: string;
  output?: 'table' | 'json' | 'yaml';
  verbose?: boolean;
}

/** The istioctl argument array (no shell; STYLE "things to avoid" 6). */
export function istioctlProxyStatusArgs(target: IstioctlTarget): string[] {
  const args = ['proxy-status', '--revision', target.revision, '--kubeconfig', target.kubeconfig];
  if (target.context) args.push('--context', target.context);
  if (target.istioNamespace) args.push('--istioNamespace', target.istioNamespace);
  if (target.output && target.output !== 'table') args.push('--output', target.output);
  if (target.verbose) args.push('--verbosity', '1');
  return args;
}

/**
 * Runs istioctl when it is on PATH; `undefined` when it is not (the cross-check is then skipped, and says so).
 * A non-zero exit is an Error with istioctl's stderr.
 */
export async function runIstioctlProxyStatus(
  target: IstioctlTarget,
  istiodRevisions: Record<string, string> = {},
): Promise<ProxyStatus[] | Error | undefined> {
  const result = await execa('istioctl', istioctlProxyStatusArgs(target), { reject: false, timeout: 60_000 });
  const failure = result as { code?: string };
  if (failure.code === 'ENOENT') return undefined;
  if (result.exitCode !== 0) {
    return new Error(
      `istioctl proxy-status exited ${result.exitCode}: ${String(result.stderr).slice(0, 500)}`,
    );
  }
  return parseProxyStatusOutput(String(result.stdout), istiodRevisions);
}
