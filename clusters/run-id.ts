import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from '../helpers/labels.ts';

/** Every object and cluster the suite creates carries these labels, so `cleanup` can find what a crash left. */
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL };

/** kind clusters made by the suite are named `aus-<runId>`; `cleanup --all` sweeps this prefix. */
export const KIND_CLUSTER_PREFIX = 'aus-';

// Lowercase letters, digits and dashes: valid in kind cluster names, label values and folder names.
const RUN_ID = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$/;

/** A run id sorts by time and is unique across parallel runs: `20260825-101530-a1b2` (UTC). */
export function newRunId(
  now: Date = new Date(),
  random: () => string = () => randomBytes(2).toString('hex'),
): string {
  const iso = now.toISOString(); // 2026-08-25T10:15:30.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${random()}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export function kindClusterName(runId: string): string {
  return `${KIND_CLUSTER_PREFIX}${runId}`;
}

/** `runs/<runId>/` under the working directory: kubeconfig, logs, plan copies, `run.json`. */
export function runDirOf(runId: string, runsRoot = 'runs'): string {
  return resolve(join(runsRoot, runId));
}

export function runLabelSelector(runId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${RUN_ID_LABEL}=${runId}`;
}
