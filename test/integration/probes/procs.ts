import { type ChildProcess, spawn } from 'node:child_process';
import { execa } from 'execa';

// Real servers for the probes' integration tests: started from config files in a temp dir, in their own process
// group (so socat's forked children and HAProxy/nginx workers stop with them), optionally inside a netns.

export interface RunningProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or null after a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** stdout + stderr so far, for failure messages. */
  output: () => string;
  /** Signals the whole process group, waits up to 5 s, then SIGKILLs it. */
  stop: () => Promise<void>;
}

export function inNetns(netns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return netns === undefined ? [cmd, args] : ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  { netns, cwd }: { netns?: string; cwd?: string } = {},
): RunningProcess {
  const [file, argv] = inNetns(netns, cmd, args);
  // `ip netns exec` execs the command, so the pid we get is the server's own.
  const child = spawn(file, argv, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    name,
    pid,
    child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup('SIGKILL'); // leftovers of the group (socat children)
        return;
      }
      signalGroup('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') signalGroup('SIGKILL');
      await exited;
      signalGroup('SIGKILL');
    },
  };
}

/** Polls `check` every 20 ms until it holds, at most `timeoutMs`; the error names `what` and the last value. */
export async function pollUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError === undefined ? JSON.stringify(last) : String(lastError);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Established TCP connections with the given local port, in `netns` if given (counted by ss). */
export async function established(port: number, netns?: string): Promise<number> {
  const [file, args] = inNetns(netns, 'ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]);
  const { stdout } = await execa(file, args);
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** Whether something listens on TCP `host:port` (in `netns` if given). */
export async function listening(host: string, port: number, netns?: string): Promise<boolean> {
  const [file, args] = inNetns(netns, 'ss', ['-Hltn', `( sport = :${port} )`]);
  const { stdout } = await execa(file, args);
  return stdout.includes(`${host}:${port}`);
}

/** Starts a process and waits until it listens on every `host:port`, or fails naming what it printed. */
export async function startListening(
  name: string,
  cmd: string,
  args: string[],
  endpoints: { host: string; port: number }[],
  options: { netns?: string; cwd?: string } = {},
): Promise<RunningProcess> {
  const proc = startProcess(name, cmd, args, options);
  try {
    for (const { host, port } of endpoints) {
      await pollUntil(
        `${name} listening on ${host}:${port}`,
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`${name} exited: ${proc.output()}`);
          return listening(host, port, options.netns);
        },
        (up) => up,
      );
    }
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not start: ${String(error)}\n${proc.output()}`);
  }
  return proc;
}

/** Children of `pid` (HAProxy master → workers). */
export async function childrenOf(pid: number): Promise<number[]> {
  const result = await execa('pgrep', ['-P', String(pid)], { reject: false });
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}
