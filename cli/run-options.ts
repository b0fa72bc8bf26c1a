import { resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../helpers/errors.ts';
import { tryParseVersion } from '../helpers/versions/version.ts';
import {
  DEFAULT_OPERATOR_VERSION,
  DEFAULT_REPORTS_DIR,
  DEFAULT_WORKERS,
  MAX_KIND_WORKERS,
  RUN_SCENARIOS,
  SELECTABLE_SCENARIOS,
} from './constants.ts';

// Re-exported: callers and tests have always taken these from here.
export { DEFAULT_OPERATOR_VERSION, DEFAULT_REPORTS_DIR, DEFAULT_WORKERS, RUN_SCENARIOS };

/** What commander hands over: strings and booleans, before any meaning is attached. */
export interface RawRunFlags {
  scenario?: string[];
  from?: string;
  to?: string;
  provider?: string;
  kubeconfig?: string;
  context?: string;
  allowCluster?: string;
  k8sVersion?: string;
  nodeImage?: string;
  workers?: string;
  operatorVersion?: string;
  hub?: string;
  tag?: string;
  keepCluster?: boolean;
  registryMirror?: boolean;
  manifestsDir?: string;
  allowSkew?: boolean;
  reportsDir?: string;
  timeoutScale?: string;
  podStages?: string;
  operatorChart?: string;
}

const istioVersion = (flag: string) =>
  z.string().refine((v) => tryParseVersion(v) !== undefined, {
    message: `${flag}: not an Istio version — use 1.30.3, v1.30.3, v1.31.0-beta.1 or v1.30-latest`,
  });

const KindTarget = z.object({
  provider: z.literal('kind'),
  k8sVersion: z
    .string()
    .regex(/^v?\d+\.\d+\.\d+$/, { message: '--k8s-version: not a Kubernetes version — use e.g. 1.35.8' })
    .optional(),
  nodeImage: z.string().min(1).optional(),
  registryMirror: z.boolean(),
});

const ExistingTarget = z.object({
  provider: z.literal('existing'),
  kubeconfigPath: z.string().min(1),
  context: z.string().min(1).optional(),
  allowCluster: z.string().min(1).optional(),
});

const KwokTarget = z.object({
  provider: z.literal('kwok'),
  podStages: z.enum(['fast', 'delayed'], { error: '--pod-stages: not a stage timing — use fast or delayed' }),
});

export const RunOptionsSchema = z.object({
  scenarios: z
    .array(
      z.enum(SELECTABLE_SCENARIOS, {
        error: (issue) =>
          `--scenario: unknown scenario "${String(issue.input)}" — use one of ${SELECTABLE_SCENARIOS.join(', ')}`,
      }),
    )
    .min(1),
  from: istioVersion('--from').optional(),
  to: istioVersion('--to').optional(),
  target: z.discriminatedUnion('provider', [KindTarget, ExistingTarget, KwokTarget]),
  operatorChart: z.string().min(1).optional(),
  workers: z
    .number({ error: '--workers: not a number — pass an integer ≥ 2' })
    .int({ error: '--workers: not an integer — pass an integer ≥ 2' })
    .min(2, {
      error:
        '--workers: at least 2 workers are needed (drain and rolling scenarios keep one schedulable) — pass --workers 2 or more',
    })
    .max(MAX_KIND_WORKERS, {
      error: `--workers: at most ${MAX_KIND_WORKERS} kind workers (each is a container on this machine) — pass --workers 2 to ${MAX_KIND_WORKERS}`,
    }),
  operatorVersion: z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
    message: '--operator-version: not a Sail chart version — use e.g. 1.30.3',
  }),
  hub: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  keepCluster: z.boolean(),
  manifestsDir: z.string().min(1).optional(),
  allowSkew: z.boolean(),
  reportsDir: z.string().min(1),
  timeoutScale: z
    .number({ error: '--timeout-scale: not a number — pass e.g. 1.5' })
    .positive({ error: '--timeout-scale: must be above 0 — pass e.g. 1.5' })
    .max(100, { error: '--timeout-scale: at most 100 — a larger scale hides hangs' }),
});

export type RunOptions = z.infer<typeof RunOptionsSchema>;
export type RunTarget = RunOptions['target'];

function numberOrNaN(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** Combinations no single flag's schema can see; each a one-line UserError. */
function checkCombinations(raw: RawRunFlags): void {
  const provider = raw.provider ?? (raw.kubeconfig !== undefined ? 'existing' : 'kind');
  if (provider !== 'kind' && provider !== 'existing' && provider !== 'kwok') {
    throw new UserError(`--provider: unknown provider "${provider}" — use kind, existing or kwok`);
  }
  if (provider === 'kwok' && raw.kubeconfig !== undefined) {
    throw new UserError('--kubeconfig names an existing cluster but --provider is kwok — drop one of them');
  }
  if (provider !== 'kwok' && raw.podStages !== undefined) {
    throw new UserError('--pod-stages applies to --provider kwok only — drop it, or add --provider kwok');
  }
  if (provider === 'kind' && raw.kubeconfig !== undefined) {
    throw new UserError(
      '--kubeconfig names an existing cluster but --provider is kind — drop --provider kind, or drop --kubeconfig',
    );
  }
  if (provider === 'existing' && raw.kubeconfig === undefined) {
    throw new UserError(
      '--provider existing needs --kubeconfig <file> — the suite never falls back to your default kubeconfig',
    );
  }
  if (provider === 'existing') {
    const kindOnly = (
      [
        ['--k8s-version', raw.k8sVersion],
        ['--node-image', raw.nodeImage],
        ['--registry-mirror', raw.registryMirror || undefined],
        // An existing cluster's Ready workers are used as they are; only kind is built to a size.
        ['--workers', raw.workers],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (kindOnly.length > 0) {
      throw new UserError(
        `${kindOnly.map(([f]) => f).join(', ')} only apply to --provider kind — drop them when using --kubeconfig`,
      );
    }
  }
  if (provider === 'kwok') {
    const kindOnly = (
      [
        ['--k8s-version', raw.k8sVersion],
        ['--node-image', raw.nodeImage],
        ['--registry-mirror', raw.registryMirror || undefined],
        ['--context', raw.context],
        ['--allow-cluster', raw.allowCluster],
      ] as const
    ).filter(([, v]) => v !== undefined);
    if (kindOnly.length > 0) {
      throw new UserError(
        `${kindOnly.map(([f]) => f).join(', ')} do not apply to --provider kwok (its Kubernetes version is the one built) — drop them`,
      );
    }
  }
  if (provider === 'kind' && (raw.context !== undefined || raw.allowCluster !== undefined)) {
    throw new UserError(
      '--context and --allow-cluster apply to an existing cluster — add --kubeconfig <file>, or drop them',
    );
  }
  if ((raw.hub === undefined) !== (raw.tag === undefined)) {
    throw new UserError('--hub and --tag name a custom operator image together — pass both, or neither');
  }
}

/**
 * Parses `run`'s flags into a typed `RunOptions`, failing with one line on the first problem. Pure apart from
 * resolving paths: reading the kubeconfig (and the `--allow-cluster` check) happens in the prerequisites.
 */
export function parseRunOptions(raw: RawRunFlags): RunOptions {
  checkCombinations(raw);
  const existing = raw.kubeconfig !== undefined || raw.provider === 'existing';
  const candidate = {
    scenarios: raw.scenario && raw.scenario.length > 0 ? [...new Set(raw.scenario)] : [...RUN_SCENARIOS],
    from: raw.from,
    to: raw.to,
    target:
      raw.provider === 'kwok'
        ? { provider: 'kwok', podStages: raw.podStages ?? 'fast' }
        : existing
          ? {
              provider: 'existing',
              kubeconfigPath: raw.kubeconfig === undefined ? undefined : resolve(raw.kubeconfig),
              context: raw.context,
              allowCluster: raw.allowCluster,
            }
          : {
              provider: 'kind',
              k8sVersion: raw.k8sVersion,
              nodeImage: raw.nodeImage,
              registryMirror: raw.registryMirror ?? false,
            },
    workers: numberOrNaN(raw.workers, DEFAULT_WORKERS),
    operatorVersion: raw.operatorVersion ?? DEFAULT_OPERATOR_VERSION,
    hub: raw.hub,
    tag: raw.tag,
    keepCluster: raw.keepCluster ?? false,
    manifestsDir: raw.manifestsDir === undefined ? undefined : resolve(raw.manifestsDir),
    operatorChart: raw.operatorChart === undefined ? undefined : resolve(raw.operatorChart),
    allowSkew: raw.allowSkew ?? false,
    reportsDir: resolve(raw.reportsDir ?? DEFAULT_REPORTS_DIR),
    timeoutScale: numberOrNaN(raw.timeoutScale, 1),
  };
  const parsed = RunOptionsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue?.message ?? 'invalid options';
    // Messages written above already name the flag; zod's own fall back to the path.
    throw new UserError(
      message.startsWith('--') ? message : `${issue?.path.join('.')}: ${message} — see run --help`,
    );
  }
  return parsed.data;
}
