import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

// actionlint (https://github.com/rhysd/actionlint), built from its Go module by .ci/run into a cache outside git:
//   GOBIN=~/.cache/aus-tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
// It checks the workflow syntax, expressions (matrix keys, inputs, contexts), action inputs and, through
// shellcheck, every `run:` script.
export const ACTIONLINT_VERSION = '1.7.12';
export const ACTIONLINT_INSTALL = `GOBIN=~/.cache/aus-tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`;

export interface ActionlintProblem {
  message: string;
  filepath: string;
  line: number;
  kind: string;
}

async function onPath(tool: string): Promise<string | undefined> {
  const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
  return found.exitCode === 0 ? found.stdout.trim() : undefined;
}

/** AUS_ACTIONLINT, else the CI cache, else PATH; undefined when none has it. */
export async function findActionlint(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.AUS_ACTIONLINT) return env.AUS_ACTIONLINT;
  const cached = join(homedir(), '.cache', 'aus-tools', 'bin', 'actionlint');
  return existsSync(cached) ? cached : onPath('actionlint');
}

export const findShellcheck = (): Promise<string | undefined> => onPath('shellcheck');

/** Runs actionlint on `files`; every problem it reports (an empty list: clean). */
export async function actionlint(
  binary: string,
  shellcheck: string | undefined,
  files: readonly string[],
): Promise<ActionlintProblem[]> {
  const result = await execa(
    binary,
    ['-format', '{{json .}}', `-shellcheck=${shellcheck ?? ''}`, '-pyflakes=', ...files],
    { reject: false },
  );
  // Exit 1 means problems found (printed as JSON); anything else without JSON is the tool failing.
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`actionlint exited ${result.exitCode}: ${result.stderr.split('\n')[0]}`);
  }
  return JSON.parse(result.stdout || '[]') as ActionlintProblem[];
}
