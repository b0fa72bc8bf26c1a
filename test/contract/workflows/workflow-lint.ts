import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The project's own workflow rules, which actionlint (the syntax, expressions, matrix keys, inputs and the
// shellcheck of `run:` scripts: see actionlint.ts) cannot know: pure checks over parsed YAML, each returning the
// problems it found as sentences, so a test shows every problem at once and each check is tested on bad input.

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string | boolean;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Job {
  name?: string;
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, unknown>;
}
export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export interface LoadedWorkflow {
  file: string;
  text: string;
  doc: unknown;
}

export function loadWorkflows(dir: string): LoadedWorkflow[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => {
      const text = readFileSync(join(dir, n), 'utf8');
      // YAML 1.2 (the `yaml` default) keeps `on` a string key, as GitHub reads it.
      return { file: n, text, doc: parse(text, { uniqueKeys: true }) as unknown };
    });
}

function steps(wf: Workflow): { job: string; step: Step }[] {
  return Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
}

const SHA = /^[0-9a-f]{40}$/;
const TAG = /^v\d+(\.\d+){0,2}$/;

/** Every `uses:` is pinned to a version tag or a full commit SHA; branches move under you. */
export function unpinnedActions(wf: Workflow): string[] {
  return steps(wf).flatMap(({ job, step }) => {
    const uses = step.uses;
    if (uses === undefined || uses.startsWith('./')) return [];
    if (uses.startsWith('docker://')) {
      return /@sha256:[0-9a-f]{64}$|:[\w][\w.-]*$/.test(uses) && !uses.endsWith(':latest')
        ? []
        : [`${job}: ${uses} is not pinned to an image tag or digest`];
    }
    const at = uses.lastIndexOf('@');
    const ref = at < 0 ? '' : uses.slice(at + 1);
    return SHA.test(ref) || TAG.test(ref)
      ? []
      : [`${job}: ${uses} is not pinned to a version tag or commit SHA`];
  });
}

/**
 * The commands the README documents for users and CI. A workflow may only invoke the project through these,
 * so what CI does is what a person can do on a laptop.
 */
export const DOCUMENTED_COMMANDS = [
  'bash .ci/run',
  'npm ci',
  'npm test',
  'npm run lint',
  'npm run typecheck',
  'npx ambient-upgrade run',
  'npx ambient-upgrade report',
  'npx ambient-upgrade plan',
  'npx ambient-upgrade cleanup',
] as const;

/** `run:` text as shell commands: continuation lines joined, comments dropped, split on ; && || | and newlines. */
export function shellCommands(run: string): string[] {
  return run
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .flatMap((line) => line.split(/&&|\|\||;|\|/))
    .map((c) =>
      c
        .trim()
        .replace(/^(then|else|do)\s+/, '')
        .trim(),
    )
    .filter((c) => c !== '');
}

const PROJECT_TOOLS =
  /^(?:sudo\s+)?(?:npm|npx|node|tsx|vitest|yarn|pnpm)\b|\.ci\/run|ambient-upgrade|bin\/ambient-upgrade/;

/** The commands in `run` that invoke the project but are not documented ones (arguments may follow). */
export function undocumentedCommands(wf: Workflow): string[] {
  return steps(wf).flatMap(({ job, step }) =>
    step.run === undefined
      ? []
      : shellCommands(step.run)
          .filter((c) => PROJECT_TOOLS.test(c))
          .filter((c) => !DOCUMENTED_COMMANDS.some((d) => c === d || c.startsWith(`${d} `)))
          .map((c) => `${job}: "${c}" is not a documented command (${DOCUMENTED_COMMANDS.join(', ')})`),
  );
}

/** Artifacts are most needed when the run failed: every upload step must run `if: always()`. */
export function uploadsWithoutAlways(wf: Workflow): string[] {
  return steps(wf)
    .filter(({ step }) => step.uses?.startsWith('actions/upload-artifact@') === true)
    .filter(({ step }) => !(typeof step.if === 'string' && /\balways\(\)/.test(step.if)))
    .map(({ job, step }) => `${job}: "${step.name ?? step.uses}" uploads without if: always()`);
}

/** Steps that upload the report must run after it is built, and that build must also run always. */
export function reportStepsWithoutAlways(wf: Workflow): string[] {
  return steps(wf)
    .filter(({ step }) => step.run !== undefined && /npx ambient-upgrade report\b/.test(step.run))
    .filter(({ step }) => !(typeof step.if === 'string' && /\balways\(\)/.test(step.if)))
    .map(({ job }) => `${job}: "npx ambient-upgrade report" must run with if: always()`);
}
