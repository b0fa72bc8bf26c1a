import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** What a stand-in does when its argv starts with `match`: the first matching rule wins; none means exit 0. */
export interface StandInRule {
  readonly match: readonly string[];
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Log the call, then block until killed: a long `kind create cluster` to interrupt. */
  readonly hang?: boolean;
  /** Write `content` to the path that follows `afterFlag` in argv (kind writing `--kubeconfig <file>`). */
  readonly writeFile?: { readonly afterFlag: string; readonly content: string };
}

export interface StandInCall {
  readonly tool: string;
  readonly argv: readonly string[];
  /** Present on the `<hanging>` record: the stand-in's process id, to check it was stopped. */
  readonly pid?: number;
  /** `KIND_EXPERIMENTAL_PROVIDER` as the stand-in saw it, when set: which engine kind would drive. */
  readonly kindProvider?: string;
}

export interface StandInBin {
  readonly dir: string;
  /** Environment whose PATH is only the stand-ins (plus `node`, which they need to run). */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  calls(): Promise<StandInCall[]>;
  /** Resolves once a recorded call satisfies `seen` (polls the log); rejects after `timeoutMs`. */
  waitForCall(seen: (line: string) => boolean, timeoutMs?: number): Promise<void>;
  remove(): Promise<void>;
}

// CommonJS on purpose: the temp dir has no package.json, so node reads the script as CJS.
const SCRIPT = (tool: string, rulesFile: string, logFile: string) => `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
const kindProvider = process.env.KIND_EXPERIMENTAL_PROVIDER;
fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, argv, ...(kindProvider ? { kindProvider } : {}) }) + '\\n');
const rules = JSON.parse(fs.readFileSync(${JSON.stringify(rulesFile)}, 'utf8'));
const rule = rules.find((r) => r.match.every((m, i) => argv[i] === m)) || {};
if (rule.writeFile) {
  const at = argv.indexOf(rule.writeFile.afterFlag);
  if (at >= 0 && argv[at + 1]) fs.writeFileSync(argv[at + 1], rule.writeFile.content);
}
if (rule.stdout) process.stdout.write(rule.stdout);
if (rule.stderr) process.stderr.write(rule.stderr);
if (rule.hang) {
  fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, argv: ['<hanging>'], pid: process.pid }) + '\\n');
  setInterval(() => {}, 1 << 30);
} else {
  process.exitCode = rule.exitCode || 0;
}
`;

/**
 * Writes executables named after `tools` (kind, helm, docker, …) into a temp dir. Each appends its argv as a JSON
 * line to a shared log and behaves as its rules say. Tools not listed do not exist on the stand-in PATH.
 */
export async function createStandInBin(tools: Record<string, readonly StandInRule[]>): Promise<StandInBin> {
  const dir = await mkdtemp(join(tmpdir(), 'aus-stand-in-'));
  const logFile = join(dir, 'calls.jsonl');
  await writeFile(logFile, '');
  await symlink(process.execPath, join(dir, 'node'));
  for (const [tool, rules] of Object.entries(tools)) {
    const rulesFile = join(dir, `${tool}.rules.json`);
    await writeFile(rulesFile, JSON.stringify(rules));
    const path = join(dir, tool);
    await writeFile(path, SCRIPT(tool, rulesFile, logFile));
    await chmod(path, 0o755);
  }
  return {
    dir,
    env: (extra = {}) => {
      // Start clean so a real docker/kind/helm of the machine can never answer instead.
      const env: NodeJS.ProcessEnv = { PATH: dir, HOME: process.env.HOME, ...extra };
      return env;
    },
    calls: async () =>
      (await readFile(logFile, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as StandInCall),
    async waitForCall(seen, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await readFile(logFile, 'utf8');
        const lines = text.split('\n').filter((line) => line !== '');
        const calls = lines.map((line) => JSON.parse(line) as StandInCall);
        if (calls.some((c) => seen([c.tool, ...c.argv].join(' ')))) return;
        if (Date.now() > deadline)
          throw new Error(`no matching stand-in call within ${timeoutMs} ms; saw: ${lines.join(' | ')}`);
        await delay(25);
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Rules for a docker that answers `info` (a running daemon). */
export const DOCKER_UP: readonly StandInRule[] = [{ match: ['info'], exitCode: 0, stdout: '{}' }];

/** Rules for a docker client whose daemon is not running, as the real client reports it. */
export const DOCKER_DOWN: readonly StandInRule[] = [
  {
    match: ['info'],
    exitCode: 1,
    stderr:
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
  },
];
