import { UserError } from '../../helpers/errors.ts';
import { type ContainerEngine, detectContainerEngine } from '../container-engine.ts';
import { findOnPath } from '../tools.ts';

// No cluster client here: `run` checks a kind run's prerequisites before it loads @kubernetes/client-node, so a
// machine without Docker, kind or helm hears so at once.

/** Every missing prerequisite at once, one line each (problem — fix), exit 2. */
export class PrerequisiteError extends UserError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    // The CLI prefixes the first line with the program name; the others get the same prefix here so every line
    // reads alike.
    super(problems.join('\nambient-upgrade: '));
    this.name = 'PrerequisiteError';
    this.problems = problems;
  }
}

export const MISSING = {
  kind: 'kind not found on PATH — install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or use --provider existing --kubeconfig <file>',
  helm: 'helm not found on PATH — install Helm (https://helm.sh/docs/intro/install/), or preinstall the Sail operator through OLM',
} as const;

export interface KindPrerequisites {
  readonly engine: ContainerEngine;
}

/** kind needs a container engine that answers, kind and helm. Nothing is created before this passes. */
export async function checkKindPrerequisites(
  env: NodeJS.ProcessEnv = process.env,
): Promise<KindPrerequisites> {
  const [engine, kind, helm] = await Promise.all([
    detectContainerEngine(env),
    findOnPath('kind', env),
    findOnPath('helm', env),
  ]);
  const problems: string[] = [];
  if (!engine.ok) problems.push(engine.problem);
  if (!kind) problems.push(MISSING.kind);
  if (!helm) problems.push(MISSING.helm);
  if (!engine.ok || problems.length > 0) throw new PrerequisiteError(problems);
  return { engine: engine.engine };
}
