import { stringify } from 'yaml';
import { describeRef } from '../k8s/types.ts';
import { slug } from './steps.ts';
import type { Step } from './types.ts';

type UpgradeStep = Extract<Step, { action: 'upgrade' }>;

/** The JSON merge patch an upgrade step sends: its `spec` fields, then `spec.version`. */
export function upgradePatch(step: Pick<UpgradeStep, 'spec' | 'version'>): { spec: Record<string, unknown> } {
  return { spec: { ...(step.spec ?? {}), version: step.version } };
}

/** `<id>-<slug>.patch.yaml`, beside the numbered apply files so it sorts in step order. */
export function upgradePatchFile(step: UpgradeStep): string {
  return `${step.id}-${slug(step.name)}.patch.yaml`;
}

/** The patch as a file a reviewer can read and `kubectl patch --type merge --patch-file` can send. */
export function upgradePatchYaml(step: UpgradeStep): string {
  const { apiVersion, kind, name, namespace } = step.target;
  const group = apiVersion.includes('/') ? `.${apiVersion.split('/')[0]}` : '';
  const scope = namespace ? ` -n ${namespace}` : '';
  return [
    `# Step ${step.id} "${step.name}": the merge patch sent to ${describeRef(step.target)}. By hand:`,
    `#   kubectl patch ${kind.toLowerCase()}${group} ${name}${scope} --type merge --patch-file <this file>`,
    stringify(upgradePatch(step), { lineWidth: 0 }),
  ].join('\n');
}
