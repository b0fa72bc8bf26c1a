import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../helpers/k8s/types.ts';
import { sha256Of } from '../../../helpers/mesh/fetch-cache.ts';
import { calledFunctions, LIBRARY_FUNCTIONS, ruleHandling } from '../../../helpers/schema/cel-rules.ts';
import { loadUpstreamCrds } from '../../../helpers/schema/index.ts';
import { PINNED_UPSTREAM } from '../../support/upstream-files.ts';
import { UPSTREAM_DIR, upstreamCrds } from './upstream.ts';

const LIBRARY_RULES = 126;
const APISERVER_RULES = 4;

function crdKinds(crds: KubeObject[]): string[] {
  return crds.map((crd) => {
    const spec = crd.spec as { group: string; names: { kind: string } };
    return `${spec.group}/${spec.names.kind}`;
  });
}

function ruleTexts(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) ruleTexts(item, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'rule' && typeof child === 'string') out.add(child.replace(/\s+/g, ' ').trim());
      else ruleTexts(child, out);
    }
  }
  return out;
}

describe('loadUpstreamCrds', () => {
  it('reads the Sail, Istio and Gateway API CRDs and skips the admission policy', async () => {
    const crds = await upstreamCrds();
    expect(crds.every((crd) => crd.kind === 'CustomResourceDefinition')).toBe(true);
    const kinds = crdKinds(crds);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'sailoperator.io/Istio',
        'sailoperator.io/IstioRevisionTag',
        'sailoperator.io/IstioCNI',
        'sailoperator.io/ZTunnel',
        'security.istio.io/AuthorizationPolicy',
        'gateway.networking.k8s.io/Gateway',
        'gateway.networking.k8s.io/HTTPRoute',
      ]),
    );
    // 5 Sail + 15 Istio + 10 Gateway API standard CRDs at the pinned upstream commits.
    expect(crds).toHaveLength(30);
  });

  it('fails with a one-line user error for a folder without the layout', async () => {
    await expect(loadUpstreamCrds('/nonexistent-upstream')).rejects.toThrow(/^no CRD folders under .* — /);
  });
});

describe('the CRDs’ CEL rules', () => {
  it('are evaluated by the CEL library unless they call a Kubernetes-only function', async () => {
    const rules = [...ruleTexts(await upstreamCrds(), new Set())];
    const counts = { library: 0, apiserver: 0, transition: 0 };
    const missing = new Set<string>();
    for (const rule of rules) {
      const handling = ruleHandling(rule);
      counts[handling] += 1;
      if (handling === 'apiserver')
        for (const name of calledFunctions(rule)) if (!LIBRARY_FUNCTIONS.has(name)) missing.add(name);
    }
    // At the pinned commits (distinct rule texts across the 30 CRDs); the README quotes these figures.
    expect(counts).toEqual({ library: LIBRARY_RULES, apiserver: APISERVER_RULES, transition: 1 });
    expect([...missing].sort()).toEqual(['getScheme', 'isIP', 'isURL', 'url']);
  });
});

it('UPSTREAM_DIR holds every pinned upstream file with its pinned sha256', async () => {
  const digests = await Promise.all(
    PINNED_UPSTREAM.map(async (file) =>
      sha256Of(await readFile(join(UPSTREAM_DIR, file.folder, file.path), 'utf8')),
    ),
  );
  expect(digests).toEqual(PINNED_UPSTREAM.map((file) => file.sha256));
});
