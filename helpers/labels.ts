// The labels every object the suite creates carries, in one place: the builders stamp them and the cleanup sweep
// selects on them, so the two can never drift apart.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ambient-upgrade-suite';
export const RUN_ID_LABEL = 'ambient-upgrade-suite/run-id';
