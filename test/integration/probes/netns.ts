import { execa } from 'execa';

// A client and a server network namespace joined by a veth pair, for probes that must cross a real link.
// Addresses are TEST-NET-1 (RFC 5737) inside our own namespaces: they route nowhere else.

export interface NetnsPair {
  client: string;
  server: string;
  clientAddress: string;
  serverAddress: string;
  remove: () => Promise<void>;
}

const ip = (...args: string[]) => execa('ip', args);

/** Why namespaces cannot be used here, or undefined when they can (checked by creating and deleting one). */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `aus-pcheck-${process.pid}`;
  try {
    await ip('netns', 'add', probe);
    await ip('netns', 'del', probe);
    return undefined;
  } catch (error) {
    return `cannot create a network namespace: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export async function createNetnsPair(tag: string): Promise<NetnsPair> {
  const client = `aus-${tag}c-${process.pid}`;
  const server = `aus-${tag}s-${process.pid}`;
  const clientIf = `aus${tag}c${process.pid}`.slice(0, 15);
  const serverIf = `aus${tag}s${process.pid}`.slice(0, 15);
  const clientAddress = '192.0.2.1';
  const serverAddress = '192.0.2.2';
  const remove = async (): Promise<void> => {
    // Deleting a namespace destroys its end of the veth, and with it the pair.
    for (const ns of [client, server]) await execa('ip', ['netns', 'del', ns], { reject: false });
  };
  try {
    await ip('netns', 'add', client);
    await ip('netns', 'add', server);
    await ip('link', 'add', clientIf, 'type', 'veth', 'peer', 'name', serverIf);
    await ip('link', 'set', clientIf, 'netns', client);
    await ip('link', 'set', serverIf, 'netns', server);
    for (const [ns, dev, address] of [
      [client, clientIf, clientAddress],
      [server, serverIf, serverAddress],
    ] as const) {
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', dev);
      await ip('-n', ns, 'link', 'set', dev, 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { client, server, clientAddress, serverAddress, remove };
}
