import { z } from 'zod';
import type { Kube } from '../k8s/client.ts';
import { getObject } from '../k8s/read.ts';
import { formatSail, type Version } from '../versions/index.ts';

/** Annotations every Gateway API CRD carries (kubernetes-sigs/gateway-api config/crd). */
export const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';
export const CHANNEL_ANNOTATION = 'gateway.networking.k8s.io/channel';

/** The CRDs the scenarios use: the waypoint's GatewayClass and Gateway, the reviews HTTPRoute. */
export const GATEWAY_API_CRDS_USED = [
  'gatewayclasses.gateway.networking.k8s.io',
  'gateways.gateway.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
] as const;

/**
 * The oldest Gateway API bundle each Istio minor works with: the release it builds against, compared by minor
 * (FACTS §3, §11: 1.29 builds against v1.4.0 and needs BackendTLSPolicy ≥ 1.4; 1.30 against v1.5.1 and needs
 * TLSRoute ≥ 1.5; 1.31 against v1.6.0). 1.28 → v1.4 is inferred. A minor not listed needs the bundle the suite
 * installs.
 */
const MIN_BUNDLE_MINOR: Readonly<Record<string, number>> = { '1.28': 4, '1.29': 4, '1.30': 5, '1.31': 6 };

export interface FoundCrd {
  readonly name: string;
  readonly bundleVersion: string | undefined;
  readonly channel: string | undefined;
}

export type GatewayApiDecision =
  | { readonly action: 'install'; readonly detail: string }
  | { readonly action: 'skip'; readonly detail: string }
  | { readonly action: 'refuse'; readonly line: string };

const CrdMeta = z.object({
  metadata: z.object({ name: z.string(), annotations: z.record(z.string(), z.string()).optional() }),
});

/** Reads the Gateway API CRDs the scenarios use; absent ones are left out. */
export async function readGatewayApiCrds(kube: Kube): Promise<FoundCrd[]> {
  const found: FoundCrd[] = [];
  for (const name of GATEWAY_API_CRDS_USED) {
    const crd = await getObject(kube, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name,
    });
    const parsed = CrdMeta.safeParse(crd);
    if (!parsed.success) continue;
    const annotations = parsed.data.metadata.annotations ?? {};
    found.push({
      name,
      bundleVersion: annotations[BUNDLE_VERSION_ANNOTATION],
      channel: annotations[CHANNEL_ANNOTATION],
    });
  }
  return found;
}

function bundleMinor(version: string | undefined): number | undefined {
  const match = /^v?1\.(\d+)\.\d+/.exec(version ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether to install the Gateway API standard bundle, keep what the cluster has, or refuse:
 * - none installed: install — except on OpenShift, where the suite never applies them (≥ 4.19 the Ingress Operator
 *   owns them and an admission policy refuses changes);
 * - installed at a bundle version both the from- and the to-version accept: keep them, whatever the channel;
 * - installed but too old, of unknown version, or incomplete: refuse. The suite never applies the standard channel
 *   over experimental CRDs (Gateway API's own admission policy refuses it) nor upgrades CRDs other workloads use.
 */
export function decideGatewayApi(
  found: readonly FoundCrd[],
  input: { openshift: boolean; from: Version; to: Version; installs: string },
): GatewayApiDecision {
  const installsMinor = bundleMinor(input.installs) ?? Number.POSITIVE_INFINITY;
  const needed = Math.max(
    ...[input.from, input.to].map((v) => MIN_BUNDLE_MINOR[`${v.major}.${v.minor}`] ?? installsMinor),
  );
  const neededText = `v1.${needed}`;
  if (found.length === 0) {
    if (input.openshift) {
      return {
        action: 'refuse',
        line: `the Gateway API CRDs are not installed and the suite never installs them on OpenShift — use OpenShift ≥ 4.19 (its Ingress Operator installs them), or install Gateway API ≥ ${neededText} the way your cluster supports`,
      };
    }
    return {
      action: 'install',
      detail: `none installed: installing Gateway API ${input.installs} (standard channel)`,
    };
  }
  const names = new Set(found.map((c) => c.name));
  const missing = GATEWAY_API_CRDS_USED.filter((n) => !names.has(n));
  if (missing.length > 0) {
    return {
      action: 'refuse',
      line: `the cluster has some Gateway API CRDs but not ${missing.join(', ')} — the suite will not install over a partial Gateway API; install the full bundle ≥ ${neededText} yourself`,
    };
  }
  const versions = [...new Set(found.map((c) => c.bundleVersion ?? 'unknown'))];
  const channels = [...new Set(found.map((c) => c.channel ?? 'unknown'))];
  const describe = `Gateway API ${versions.join('/')} (${channels.join('/')} channel) already installed`;
  const oldest = Math.min(...found.map((c) => bundleMinor(c.bundleVersion) ?? -1));
  if (oldest < 0) {
    return {
      action: 'refuse',
      line: `${describe} without a readable ${BUNDLE_VERSION_ANNOTATION} — the suite cannot tell whether Istio ${fmt(input.from)} and ${fmt(input.to)} accept it; install Gateway API ≥ ${neededText} from its release bundle`,
    };
  }
  if (oldest < needed) {
    const how = input.openshift
      ? 'upgrade OpenShift (the Ingress Operator owns these CRDs)'
      : `upgrade them yourself (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/${input.installs}/${channels.includes('experimental') ? 'experimental' : 'standard'}-install.yaml)`;
    return {
      action: 'refuse',
      line: `${describe}, older than the ${neededText} Istio ${fmt(input.from)} → ${fmt(input.to)} needs — ${how}, then run again`,
    };
  }
  return {
    action: 'skip',
    detail: `${describe}: accepted by Istio ${fmt(input.from)} and ${fmt(input.to)} (≥ ${neededText}), not changed`,
  };
}

const fmt = (v: Version) => formatSail(v).replace(/^v/, '');
