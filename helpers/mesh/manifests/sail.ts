import type { KubeObject } from '../../k8s/types.ts';
import { suiteLabels } from './labels.ts';
import type {
  AmbientProfile,
  BuilderOptions,
  IstioUpdateStrategy,
  SailVersion,
  ZTunnelUpdateStrategy,
} from './types.ts';

const SAIL_API = 'sailoperator.io/v1';
export const ISTIO_NAMESPACE = 'istio-system';
export const CNI_NAMESPACE = 'istio-cni';
export const ZTUNNEL_NAMESPACE = 'ztunnel';

export interface IstioOptions extends BuilderOptions {
  name?: string;
  version: SailVersion;
  strategy: IstioUpdateStrategy;
  /** Seconds an unused revision is kept after it stops being InUse (Sail default 30). */
  inactiveRevisionDeletionGracePeriodSeconds?: number;
  profile?: AmbientProfile;
  /**
   * `values.pilot.autoscaleMin`: istiod's HPA keeps at least this many replicas, and the chart renders istiod's
   * PodDisruptionBudget only when it is above 1 (FACTS §11). A deviation from the documented install.
   */
  istiodMinReplicas?: number;
}

/** The Sail `Istio` control plane for ambient mode (samples/ambient/istio-sample.yaml plus a strategy). */
export function istio(options: IstioOptions): KubeObject {
  const updateStrategy: Record<string, unknown> = { type: options.strategy };
  if (options.inactiveRevisionDeletionGracePeriodSeconds !== undefined) {
    updateStrategy.inactiveRevisionDeletionGracePeriodSeconds =
      options.inactiveRevisionDeletionGracePeriodSeconds;
  }
  return {
    apiVersion: SAIL_API,
    kind: 'Istio',
    metadata: { name: options.name ?? 'default', labels: suiteLabels(options) },
    spec: {
      version: options.version,
      namespace: ISTIO_NAMESPACE,
      profile: options.profile ?? 'ambient',
      updateStrategy,
      // istiod accepts ztunnel's node-proxy identity only from this namespace.
      values: {
        pilot: {
          trustedZtunnelNamespace: ZTUNNEL_NAMESPACE,
          ...(options.istiodMinReplicas === undefined ? {} : { autoscaleMin: options.istiodMinReplicas }),
        },
      },
    },
  };
}

export interface IstioRevisionTagOptions extends BuilderOptions {
  name?: string;
  istioName: string;
}

/** A tag following the Istio's active revision; `default` makes unlabelled waypoints owned under RevisionBased. */
export function istioRevisionTag(options: IstioRevisionTagOptions): KubeObject {
  return {
    apiVersion: SAIL_API,
    kind: 'IstioRevisionTag',
    metadata: { name: options.name ?? 'default', labels: suiteLabels(options) },
    spec: { targetRef: { kind: 'Istio', name: options.istioName } },
  };
}

export interface IstioCniOptions extends BuilderOptions {
  version: SailVersion;
  profile?: AmbientProfile;
}

/** The `IstioCNI` singleton (the CRD requires the name `default`). */
export function istioCni(options: IstioCniOptions): KubeObject {
  return {
    apiVersion: SAIL_API,
    kind: 'IstioCNI',
    metadata: { name: 'default', labels: suiteLabels(options) },
    spec: { version: options.version, namespace: CNI_NAMESPACE, profile: options.profile ?? 'ambient' },
  };
}

export interface ZTunnelOptions extends BuilderOptions {
  version: SailVersion;
  /** Pod grace period; ztunnel drains for grace − 5 s when grace > 10 (FACTS §5). */
  terminationGracePeriodSeconds?: number;
  updateStrategy?: ZTunnelUpdateStrategy;
  /**
   * The Istio whose revision ztunnel follows (`spec.targetRef`, as in the Sail ambient sample); under
   * RevisionBased this moves ztunnel's XDS/CA to the active `istiod-<rev>`. `null` omits targetRef.
   */
  istioName?: string | null;
}

/** The `ZTunnel` singleton, with the grace period and DaemonSet strategy under `values.ztunnel`. */
export function ztunnel(options: ZTunnelOptions): KubeObject {
  const values: Record<string, unknown> = {};
  if (options.terminationGracePeriodSeconds !== undefined) {
    values.terminationGracePeriodSeconds = options.terminationGracePeriodSeconds;
  }
  if (options.updateStrategy !== undefined) values.updateStrategy = { type: options.updateStrategy };
  const spec: Record<string, unknown> = { version: options.version, namespace: ZTUNNEL_NAMESPACE };
  const istioName = options.istioName === undefined ? 'default' : options.istioName;
  if (istioName !== null) spec.targetRef = { kind: 'Istio', name: istioName };
  if (Object.keys(values).length > 0) spec.values = { ztunnel: values };
  return {
    apiVersion: SAIL_API,
    kind: 'ZTunnel',
    metadata: { name: 'default', labels: suiteLabels(options) },
    spec,
  };
}
