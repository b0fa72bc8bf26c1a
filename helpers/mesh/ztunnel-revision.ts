import { z } from 'zod';
import { parseAs } from './k8s-shapes.ts';
import { combine, daemonSetRolledOut, type Readiness } from './readiness.ts';
import { istiodName } from './revisions.ts';

// RevisionBased with `ZTunnel.spec.targetRef`: Sail copies the active revision into the ztunnel chart's values and
// sets `ZTunnel.status.istioRevision`; the chart then changes the pod annotation `istio.io/rev` and `XDS_ADDRESS`
// (and `CA_ADDRESS`) to `istiod-<rev>`, which replaces every ztunnel pod (FACTS §11). Until Sail has re-rendered
// the DaemonSet, a plain rollout check passes at once on the old template: these checks close that gap.

const ZtunnelStatus = z.object({ status: z.object({ istioRevision: z.string().optional() }).optional() });

const Template = z.object({
  spec: z
    .object({
      template: z
        .object({
          metadata: z
            .object({
              labels: z.record(z.string(), z.string()).optional(),
              annotations: z.record(z.string(), z.string()).optional(),
            })
            .optional(),
          spec: z
            .object({
              containers: z
                .array(
                  z.object({
                    name: z.string(),
                    env: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
                  }),
                )
                .default([]),
            })
            .optional(),
        })
        .optional(),
    })
    .default({}),
});

/** `istiod-<rev>.<namespace>.svc:15012` (or `istiod.…` for `default`), as the chart renders XDS_ADDRESS. */
function namesIstiod(address: string | undefined, revision: string, namespace: string): boolean {
  return address?.startsWith(`${istiodName(revision)}.${namespace}.`) ?? false;
}

/** The ZTunnel CR and its DaemonSet template name `revision`; the template is rolled out at `version`. */
export function ztunnelOnRevision(input: {
  ztunnel: unknown;
  daemonSet: unknown;
  revision: string;
  istiodNamespace: string;
  version: string;
}): Readiness {
  const { revision } = input;
  const reasons: string[] = [];
  const statusRevision = ZtunnelStatus.safeParse(input.ztunnel).data?.status?.istioRevision;
  if (input.ztunnel === undefined) reasons.push('ZTunnel default not found');
  else if (statusRevision !== revision)
    reasons.push(`ZTunnel status.istioRevision is ${statusRevision ?? 'unset'}, expected ${revision}`);

  const template = parseAs(Template, input.daemonSet ?? {}, 'ztunnel DaemonSet');
  let seenTemplate = 'no template';
  if (template instanceof Error) reasons.push(template.message);
  else {
    const metadata = template.spec.template?.metadata;
    const annotation = metadata?.annotations?.['istio.io/rev'];
    const label = metadata?.labels?.['istio.io/rev'];
    const proxy = template.spec.template?.spec?.containers.find((c) => c.name === 'istio-proxy');
    const xds = proxy?.env?.find((e) => e.name === 'XDS_ADDRESS')?.value;
    seenTemplate = `template istio.io/rev annotation=${annotation ?? '-'} label=${label ?? '-'} XDS_ADDRESS=${xds ?? '-'}`;
    if (annotation !== revision)
      reasons.push(`pod template annotation istio.io/rev is ${annotation ?? 'unset'}, expected ${revision}`);
    if (label !== undefined && label !== revision)
      reasons.push(`pod template label istio.io/rev is ${label}, expected ${revision}`);
    if (!namesIstiod(xds, revision, input.istiodNamespace)) {
      reasons.push(
        `XDS_ADDRESS is ${xds ?? 'unset'}, expected ${istiodName(revision)}.${input.istiodNamespace}.svc:15012`,
      );
    }
  }
  const own: Readiness = {
    done: reasons.length === 0,
    detail: `ZTunnel status.istioRevision=${statusRevision ?? '-'}; ${seenTemplate}${reasons.length > 0 ? ` — not done: ${reasons.join('; ')}` : ''}`,
  };
  return combine([
    own,
    daemonSetRolledOut(input.daemonSet, { version: input.version, container: 'istio-proxy' }),
  ]);
}
