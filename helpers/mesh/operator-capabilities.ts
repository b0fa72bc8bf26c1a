import { z } from 'zod';
import { formatSail, isInstallable, supportedVersionsFromCrd, type Version } from '../versions/index.ts';

export const ZTUNNEL_CRD = 'ztunnels.sailoperator.io';
export const ISTIO_CRD = 'istios.sailoperator.io';

const CrdVersions = z.object({
  spec: z.object({
    versions: z.array(
      z.object({
        name: z.string(),
        served: z.boolean(),
        schema: z
          .object({
            openAPIV3Schema: z
              .object({
                properties: z
                  .object({
                    spec: z.object({ properties: z.record(z.string(), z.unknown()).optional() }).optional(),
                  })
                  .optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    ),
  }),
});

/**
 * What the scenarios need of the installed Sail operator, read from its CRDs (the CRDs are the operator's API:
 * an OLM or OSSM install reports no chart version): `ZTunnel` served as `sailoperator.io/v1` (Sail ≥ 1.29) with
 * `spec.targetRef` (Sail ≥ 1.30, the RevisionBased ztunnel hand-over), and both target versions in the `Istio`
 * CRD's version enum. Returns one line per missing capability, each naming the fix.
 */
export function operatorCapabilityProblems(
  crds: { istio: unknown; ztunnel: unknown },
  versions: { from: Version; to: Version },
  source: string,
): string[] {
  const upgrade = 'install Sail operator ≥ 1.30 (OSSM ≥ 3.2), or use --provider kind';
  const problems: string[] = [];
  const ztunnel = CrdVersions.safeParse(crds.ztunnel);
  if (crds.ztunnel === undefined) {
    problems.push(`${source} has no ${ZTUNNEL_CRD} CRD, so it cannot run ambient mode — ${upgrade}`);
  } else if (!ztunnel.success) {
    problems.push(`${ZTUNNEL_CRD} on ${source} is not a CRD the suite can read — ${upgrade}`);
  } else {
    const v1 = ztunnel.data.spec.versions.find((v) => v.name === 'v1' && v.served);
    if (!v1) {
      const served = ztunnel.data.spec.versions.filter((v) => v.served).map((v) => v.name);
      problems.push(
        `${ZTUNNEL_CRD} on ${source} serves ${served.join(', ') || 'no version'}, not v1 (Sail < 1.29) — ${upgrade}`,
      );
    } else if (!v1.schema?.openAPIV3Schema?.properties?.spec?.properties?.targetRef) {
      problems.push(
        `${ZTUNNEL_CRD} v1 on ${source} has no spec.targetRef (Sail < 1.30), which RevisionBased ztunnel upgrades need — ${upgrade}`,
      );
    }
  }
  if (crds.istio === undefined) {
    problems.push(
      `${source} has no ${ISTIO_CRD} CRD — install the Sail operator, or let the suite install it with Helm`,
    );
    return problems;
  }
  let supported: ReturnType<typeof supportedVersionsFromCrd>;
  try {
    supported = supportedVersionsFromCrd(crds.istio);
  } catch {
    problems.push(`${ISTIO_CRD} on ${source} lists no spec.version enum — ${upgrade}`);
    return problems;
  }
  for (const [flag, version] of [
    ['--from', versions.from],
    ['--to', versions.to],
  ] as const) {
    if (!isInstallable(supported, version)) {
      problems.push(
        `${flag} ${formatSail(version)} is not in the version enum of ${ISTIO_CRD} on ${source} — pass a version that operator installs (npx ambient-upgrade versions), or upgrade the operator`,
      );
    }
  }
  return problems;
}
