import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseProxyStatusMachine,
  parseProxyStatusOutput,
  parseProxyStatusTable,
  splitYamlDocuments,
} from '../../../helpers/mesh/istioctl-proxy-status.ts';
import type { ProxyStatus } from '../../../helpers/mesh/proxy-status.ts';
import { UPSTREAM_DIR } from '../../support/upstream.ts';

// Goldens from istio/istio istioctl/pkg/writer/pilot/testdata (see ../shared/upstream/istio/SOURCE.md). Expected
// values are derived from the golden text itself (an independent whitespace split), never typed in by hand.
const DIR = join(UPSTREAM_DIR, 'istio', 'istioctl-proxy-status-testdata');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

/** The golden as a plain grid: split on 2+ spaces (what Sail's e2e does); fine here because no golden cell is empty. */
function grid(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s{2,}/));
}

function ok<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}

describe.each([
  '1.24.0/multiXdsStatusMultiPilot.txt',
  '1.24.0/multiXdsStatusSinglePilot.txt',
  'master/multiXdsStatusMultiPilot_verbose.txt',
])('per-type table %s', (file) => {
  const text = read(file);
  const [header = [], ...body] = grid(text);
  const parsed = ok(parseProxyStatusTable(text));

  it('has one row per line with name, cluster, istiod and version from the golden', () => {
    expect(parsed.layout).toBe('per-type');
    expect(parsed.rows.map((r) => [r.proxy, r.cluster, r.istiod.pod, r.version])).toEqual(
      body.map((cells) => [
        cells[0],
        cells[1],
        cells[header.indexOf('ISTIOD')],
        cells[header.indexOf('VERSION')],
      ]),
    );
  });

  it('reads every per-type cell under its own header', () => {
    const types = header.slice(2, header.indexOf('ISTIOD'));
    expect(parsed.types).toEqual(types);
    for (const [i, cells] of body.entries()) {
      const expected = Object.fromEntries(types.map((t) => [t, cells[header.indexOf(t)]]));
      expect(parsed.rows[i]?.xds).toEqual(expected);
    }
  });
});

describe('the two header layouts disagree on column order', () => {
  it('1.24 lists CDS LDS EDS RDS ECDS, verbose sorts by type URL', () => {
    expect(ok(parseProxyStatusTable(read('1.24.0/multiXdsStatusSinglePilot.txt'))).types).toEqual([
      'CDS',
      'LDS',
      'EDS',
      'RDS',
      'ECDS',
    ]);
    expect(ok(parseProxyStatusTable(read('master/multiXdsStatusMultiPilot_verbose.txt'))).types).toEqual([
      'CDS',
      'ECDS',
      'EDS',
      'LDS',
      'RDS',
    ]);
  });

  it('keeps proxy1 of the verbose golden: RDS NOT SENT, CDS STALE, ECDS SYNCED', () => {
    const row = ok(parseProxyStatusTable(read('master/multiXdsStatusMultiPilot_verbose.txt'))).rows[0];
    const cells = grid(read('master/multiXdsStatusMultiPilot_verbose.txt'))[1] ?? [];
    expect(row?.xds).toMatchObject({ CDS: cells[2], ECDS: cells[3], RDS: cells[6] });
    expect(row?.xds.RDS).toBe('NOT SENT');
  });
});

describe.each(['master/multiXdsStatusSinglePilot.txt', 'master/multiXdsStatusMultiPilot.txt'])(
  'subscribed-types table %s',
  (file) => {
    const text = read(file);
    const [header = [], ...body] = grid(text);
    const parsed = ok(parseProxyStatusTable(text));

    it('has rows with istiod, version and the subscribed types, and no per-type states', () => {
      expect(parsed.layout).toBe('subscribed');
      expect(parsed.rows.map((r) => [r.proxy, r.cluster, r.istiod.pod, r.version])).toEqual(
        body.map((c) => [c[0], c[1], c[header.indexOf('ISTIOD')], c[header.indexOf('VERSION')]]),
      );
      for (const [i, cells] of body.entries()) {
        const cell = cells[header.indexOf('SUBSCRIBED TYPES')] ?? '';
        const listed = /\((.*)\)/.exec(cell)?.[1]?.split(',') ?? [];
        expect(parsed.rows[i]?.subscribedTypes).toEqual(listed);
        expect(parsed.rows[i]?.xds).toEqual({});
      }
    });
  },
);

describe('machine-readable output (≥ 1.30 -o json|yaml)', () => {
  const json = read('master/multiXdsStatusSinglePilot.json');
  const golden = JSON.parse(json) as {
    controlPlane: { identifier: string };
    resources: {
      node: { id: string; metadata: Record<string, string> };
      genericXdsConfigs: { typeUrl: string; configStatus: string }[];
    }[];
  };
  const istiodId = (JSON.parse(golden.controlPlane.identifier) as { ID: string }).ID;

  const expectMatchesGolden = (rows: ProxyStatus[]) => {
    expect(rows).toHaveLength(golden.resources.length);
    for (const [i, resource] of golden.resources.entries()) {
      const row = rows[i];
      expect(row?.proxy).toBe(resource.node.id);
      expect(row?.version).toBe(resource.node.metadata.ISTIO_VERSION);
      expect(row?.cluster).toBe(resource.node.metadata.CLUSTER_ID);
      expect(row?.istiod.pod).toBe(istiodId);
      expect(Object.values(row?.xds ?? {})).toEqual(
        resource.genericXdsConfigs.map((g) => g.configStatus.replace('_', ' ')),
      );
    }
  };

  it('json golden', () => expectMatchesGolden(ok(parseProxyStatusMachine(json, 'json'))));
  it('yaml golden equals json golden', () => {
    const rows = ok(parseProxyStatusMachine(read('master/multiXdsStatusSinglePilot.yaml'), 'yaml'));
    expectMatchesGolden(rows);
    expect(rows[0]?.xds).toEqual({
      CDS: 'STALE',
      LDS: 'SYNCED',
      RDS: 'NOT SENT',
      EDS: 'SYNCED',
      ECDS: 'SYNCED',
    });
  });
  it('single-namespace yaml carries NAMESPACE metadata', () => {
    const rows = ok(parseProxyStatusMachine(read('master/multiXdsStatusSingleNamespace.yaml'), 'yaml'));
    expect(rows.map((r) => r.namespace)).toEqual(['foo']);
  });
  it('two istiods printed back to back (json and yaml) give the rows of both', () => {
    const other = json.replace('\\"ID\\":\\"istiod1\\"', '\\"ID\\":\\"istiod-canary-5d4f7b8c9-abcde\\"');
    const jsonRows = ok(parseProxyStatusMachine(`${json}\n${other}\n`, 'json'));
    expect(jsonRows.map((r) => [r.istiod.pod, r.istiod.revision])).toEqual([
      ['istiod1', undefined],
      ['istiod-canary-5d4f7b8c9-abcde', 'canary'],
    ]);
    const yamlText = read('master/multiXdsStatusSinglePilot.yaml');
    expect(splitYamlDocuments(`${yamlText}${yamlText}`)).toHaveLength(2);
    expect(ok(parseProxyStatusMachine(`${yamlText}${yamlText}`, 'yaml'))).toHaveLength(2);
  });
  it('sniffs the format', () => {
    expect(ok(parseProxyStatusOutput(json))[0]?.source).toBe('istioctl-json');
    expect(ok(parseProxyStatusOutput(read('master/multiXdsStatusSinglePilot.txt')))[0]?.source).toBe(
      'istioctl-subscribed',
    );
    expect(ok(parseProxyStatusOutput(read('master/multiXdsStatusSinglePilot.yaml')))).toHaveLength(1);
  });
});

describe('table parsing details', () => {
  it('keeps an empty CLUSTER cell that a 2+ space split would merge', () => {
    const text = [
      'NAME                       CLUSTER     ISTIOD                       VERSION     SUBSCRIBED TYPES',
      'waypoint-5d9c8b7f9-abc12.bookinfo            istiod-7b9f8c5d6-xyz78       1.30.3      4 (CDS,LDS,EDS,RDS)',
    ].join('\n');
    // Deliberately misaligned → falls back to splitting, which cannot know the cluster is empty: an error, not a guess.
    expect(parseProxyStatusTable(text)).toBeInstanceOf(Error);
    const aligned = [
      'NAME                                  CLUSTER     ISTIOD                      VERSION     SUBSCRIBED TYPES',
      'waypoint-5d9c8b7f9-abc12.bookinfo                 istiod-7b9f8c5d6-xyz78      1.30.3      4 (CDS,LDS,EDS,RDS)',
    ].join('\n');
    const row = ok(parseProxyStatusTable(aligned)).rows[0];
    expect(row).toMatchObject({
      proxy: 'waypoint-5d9c8b7f9-abc12',
      namespace: 'bookinfo',
      cluster: undefined,
      version: '1.30.3',
    });
    expect(row?.istiod).toEqual({ pod: 'istiod-7b9f8c5d6-xyz78', revision: 'default' });
  });

  it('reads ages in cells and rejects unknown states', () => {
    const text = [
      'NAME          CLUSTER        CDS             LDS         EDS        RDS          ECDS        ISTIOD                                  VERSION',
      'w-1-2.ns      Kubernetes     SYNCED (2m)     SYNCED      SYNCED     NOT SENT     IGNORED     istiod-default-v1-30-3-7b9f8c5d6-xyz78  1.30.3',
    ].join('\n');
    const row = ok(parseProxyStatusTable(text)).rows[0];
    expect(row?.xds.CDS).toBe('SYNCED');
    expect(row?.istiod.revision).toBe('default-v1-30-3');
    expect(parseProxyStatusTable(text.replace('NOT SENT', 'WEIRD   '))).toBeInstanceOf(Error);
  });
});
