import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

// Real headless Chromium (Debian's `chromium` package, installed by .ci/run) driven by playwright-core. Where the
// test runs as root it starts inside a network namespace of its own with only loopback: the page under test has
// no network at all, and the test also records every request it makes.

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function chromiumMissing(): Promise<string | undefined> {
  try {
    await access(CHROMIUM);
    return undefined;
  } catch {
    return `${CHROMIUM} not found — install Debian's chromium package (bash .ci/run does: apt-get install chromium)`;
  }
}

export interface OpenedBrowser {
  /** One persistent context on a fresh profile (playwright's way of passing --user-data-dir). */
  browser: BrowserContext;
  /** `loopback-only netns <name>` or `host network (not root)`. */
  isolation: string;
  close: () => Promise<void>;
}

async function loopbackNamespace(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = `aus-chromium-${process.pid}`;
  const made = await execa('ip', ['netns', 'add', name], { reject: false });
  if (made.exitCode !== 0) return undefined;
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { reject: false });
  return name;
}

export async function launchChromium(): Promise<OpenedBrowser> {
  const work = await mkdtemp(join(tmpdir(), 'aus-chromium-'));
  const netns = await loopbackNamespace();
  let executablePath = CHROMIUM;
  if (netns !== undefined) {
    // playwright talks to Chromium over inherited pipes (--remote-debugging-pipe), which `ip netns exec` keeps.
    executablePath = join(work, 'chromium-in-netns');
    await writeFile(executablePath, `#!/bin/sh\nexec ip netns exec ${netns} ${CHROMIUM} "$@"\n`);
    await chmod(executablePath, 0o755);
  }
  const cleanup = async () => {
    if (netns !== undefined) await execa('ip', ['netns', 'del', netns], { reject: false });
    await rm(work, { recursive: true, force: true });
  };
  try {
    const browser = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath,
      headless: true,
      args: FLAGS,
      timeout: 60_000,
      viewport: { width: 1100, height: 900 },
    });
    return {
      browser,
      isolation: netns === undefined ? 'host network (not root)' : `loopback-only netns ${netns}`,
      close: async () => {
        await browser.close();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A page that records the URL of every request it makes and lets only file: and data: through. */
export async function recordingPage(browser: BrowserContext): Promise<{ page: Page; requested: string[] }> {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (r) => {
    requested.push(r.url());
  });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) await route.continue();
    else await route.abort('blockedbyclient');
  });
  return { page, requested };
}
