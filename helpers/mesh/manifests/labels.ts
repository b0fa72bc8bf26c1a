import { UserError } from '../../errors.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from '../../labels.ts';
import type { BuilderOptions } from './types.ts';

export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL };

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The labels every suite object carries: extra labels, the run id, then managed-by (which always wins). */
export function suiteLabels(options: BuilderOptions = {}): Record<string, string> {
  const labels: Record<string, string> = { ...options.labels };
  if (options.runId !== undefined) {
    if (options.runId.length === 0 || options.runId.length > 63 || !LABEL_VALUE.test(options.runId)) {
      throw new UserError(
        `run id "${options.runId}" is not a valid label value — use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      );
    }
    labels[RUN_ID_LABEL] = options.runId;
  }
  labels[MANAGED_BY_LABEL] = MANAGED_BY_VALUE;
  return labels;
}
