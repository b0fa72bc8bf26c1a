import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { onTestFinished } from 'vitest';
import type { EvidenceSink } from '../../../helpers/report/step.ts';

// fast-xml-parser comes with allure (@allurereport/reader); the tests use it only to prove SVG is XML.

/** A fresh reports folder for one test, removed when the test finishes (pass or fail). */
export async function tempReportsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aus-report-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Recorded {
  steps: string[];
  attachments: { name: string; body: string; contentType: string }[];
  descriptions: string[];
  labels: [string, string][];
}

/** A sink that remembers what it was given, so tests can look at the evidence a helper produced. */
export function recordingSink(): EvidenceSink & { seen: Recorded } {
  const seen: Recorded = { steps: [], attachments: [], descriptions: [], labels: [] };
  return {
    seen,
    step: async (title, body) => {
      seen.steps.push(title);
      return body();
    },
    attach: async (name, body, contentType) => {
      seen.attachments.push({
        name,
        body: typeof body === 'string' ? body : Buffer.from(body).toString(),
        contentType,
      });
    },
    describe: async (markdown) => {
      seen.descriptions.push(markdown);
    },
    label: async (name, value) => {
      seen.labels.push([name, value]);
    },
  };
}

/** Throws with the parser's message unless `xml` is well-formed. */
export function assertWellFormed(xml: string): void {
  const result = XMLValidator.validate(xml);
  if (result !== true) throw new Error(`not well-formed XML: ${JSON.stringify(result.err)}`);
}

type Node = Record<string, unknown>;

/** Every element named `tag` anywhere in the document, with its attributes (prefixed `@_`). */
export function elements(xml: string, tag: string): Node[] {
  const tree: unknown = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml);
  const found: Node[] = [];
  const walk = (value: unknown, name: string | undefined) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, name);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (name === tag) found.push(value as Node);
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('@_')) walk(v, k);
  };
  walk(tree, undefined);
  return found;
}

export function withClass(nodes: Node[], cls: string): Node[] {
  return nodes.filter((n) =>
    String(n['@_class'] ?? '')
      .split(' ')
      .includes(cls),
  );
}

const T0 = Date.parse('2025-11-25T10:00:00.000Z');
export const at = (seconds: number) => T0 + seconds * 1000;

export const connectionsProbe = {
  long: [
    { id: 'c1', opened: at(0), closed: at(40), outcome: 'closed', lastEcho: at(39) },
    { id: 'c2', opened: at(1), closed: at(31), outcome: 'reset', lastEcho: at(29) },
    { id: 'c3', opened: at(2), closed: null, outcome: 'open', lastEcho: at(44) },
  ],
  new: {
    attempted: 50,
    succeeded: 48,
    failed: 2,
    failures: [
      { at: at(20), error: 'ECONNRESET' },
      { at: at(21), error: 'connect ETIMEDOUT <pod> & "quotes"' },
    ],
  },
};

export const replacements = [
  { node: 'worker-1', sigtermAt: at(10), deadlineAt: at(40), graceEndAt: at(45) },
  { node: 'worker-2', sigtermAt: at(25), deadlineAt: at(55), graceEndAt: at(60) },
];

export const weightsProbe = {
  verdict: 'pass',
  requests: 1000,
  counts: { v1: 897, v2: 103 },
  expected: { v1: 0.9, v2: 0.1 },
  interval: {
    v1: { share: 0.897, low: 0.876, high: 0.915 },
    v2: { share: 0.103, low: 0.085, high: 0.124 },
  },
};
