/** Sail `Istio.spec.updateStrategy.type`. */
export type IstioUpdateStrategy = 'InPlace' | 'RevisionBased';

/** ZTunnel DaemonSet `updateStrategy.type` (free text in the CRD; these are the two Kubernetes knows). */
export type ZTunnelUpdateStrategy = 'RollingUpdate' | 'OnDelete';

/** Sail profiles that install ambient mode (`openshift-ambient` on OpenShift). */
export type AmbientProfile = 'ambient' | 'openshift-ambient';

/** Gateway label `istio.io/waypoint-for`: which traffic the waypoint serves. */
export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

/** A version in Sail's `spec.version` form, e.g. `v1.30.3` or `v1.30-latest`. */
export type SailVersion = `v${string}`;

/** Options every builder accepts so that a run's objects can be found and swept. */
export interface BuilderOptions {
  /** Value for the run-id label (`RUN_ID_LABEL`); omitted when not given. */
  runId?: string;
  /** Extra labels; the managed-by label always wins. */
  labels?: Record<string, string>;
}
