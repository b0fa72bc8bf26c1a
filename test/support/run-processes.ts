/**
 * The processes of one run, found by what is unique to it — never by a program name, since other runs (other
 * engineers, CI jobs) may have the same programs running: every process whose command line or environment
 * mentions the run's folder (kwok components, helm, the operator, the scenario vitest and its workers carry
 * it), and every process inside the run's network namespace. Linux /proc; read as root.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

export interface RunProcess {
  readonly pid: number;
  readonly cmdline: string;
  /** Why it counts as the run's: `cmdline`, `environ` or `netns`. */
  readonly by: 'cmdline' | 'environ' | 'netns';
}

/** The inode of a named network namespace (`ip netns add` bind-mounts it under /run/netns). */
export async function netnsInode(name: string): Promise<number | undefined> {
  try {
    return (await stat(`/run/netns/${name}`)).ino;
  } catch {
    return undefined;
  }
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');

/** Every live process of the run (zombies excluded: they run nothing and hold no namespace). */
export async function runProcesses(run: {
  readonly runDir: string;
  readonly netnsInode?: number | undefined;
}): Promise<RunProcess[]> {
  const found: RunProcess[] = [];
  const net = run.netnsInode === undefined ? undefined : `net:[${run.netnsInode}]`;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = await read(`/proc/${pid}/stat`);
    // The state follows the parenthesised command name, which may itself contain spaces or parentheses.
    if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
    const cmdline = (await read(`/proc/${pid}/cmdline`)).split('\0').join(' ').trim();
    let by: RunProcess['by'] | undefined;
    if (cmdline.includes(run.runDir)) by = 'cmdline';
    else if ((await read(`/proc/${pid}/environ`)).includes(run.runDir)) by = 'environ';
    else if (net && (await readlink(`/proc/${pid}/ns/net`).catch(() => '')) === net) by = 'netns';
    if (by) found.push({ pid, cmdline: cmdline.slice(0, 200), by });
  }
  return found;
}
