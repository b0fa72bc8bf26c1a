export { type ProductpagePolicyOptions, productpageAuthorizationPolicy } from './authorization-policy.ts';
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL, suiteLabels } from './labels.ts';
export {
  type AmbientNamespaceOptions,
  ambientNamespace,
  DISCOVERY_LABEL,
  meshNamespaces,
} from './namespaces.ts';
export {
  type EchoServerOptions,
  echoServer,
  MAX_BUNDLE_BYTES,
  PROBE_CONFIGMAP,
  PROBE_IMAGE,
  PROBE_MOUNT_PATH,
  PROBE_SCRIPT_KEY,
  PROBE_SCRIPT_PATH,
  type ProbeBundleOptions,
  type ProbeClientOptions,
  probeBundleConfigMap,
  probeClient,
} from './probe.ts';
export {
  DEFAULT_REVIEWS_WEIGHTS,
  REVIEWS_PORT,
  type ReviewsRouteOptions,
  reviewsRoute,
} from './reviews-route.ts';
export {
  CNI_NAMESPACE,
  ISTIO_NAMESPACE,
  type IstioCniOptions,
  type IstioOptions,
  type IstioRevisionTagOptions,
  istio,
  istioCni,
  istioRevisionTag,
  ZTUNNEL_NAMESPACE,
  type ZTunnelOptions,
  ztunnel,
} from './sail.ts';
export type {
  AmbientProfile,
  BuilderOptions,
  IstioUpdateStrategy,
  SailVersion,
  WaypointFor,
  ZTunnelUpdateStrategy,
} from './types.ts';
export { HBONE_PORT, WAYPOINT_CLASS, type WaypointOptions, waypoint } from './waypoint.ts';
