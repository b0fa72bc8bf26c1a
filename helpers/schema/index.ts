export { type CelOutcome, checkCelRules, ruleHandling } from './cel-rules.ts';
export { toAjvRootSchema, toAjvSchema } from './convert-schema.ts';
export { KubeObjectSchema, parseKubeObjects } from './kube-object.ts';
export { crdsFromYaml, isCrd, loadUpstreamCrds, UPSTREAM_CRD_LOCATIONS } from './load-upstream-crds.ts';
export {
  type CheckedBy,
  createSchemaValidator,
  type SchemaValidator,
  type ValidationResult,
} from './validator.ts';
