// A plain static file server on 127.0.0.1 for the fresh-clone check: serves a folder, prints its port.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: node .ci/static-server.mjs <folder>\n');
  process.exit(2);
}
const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
  try {
    response.writeHead(200).end(await readFile(join(root, path)));
  } catch {
    response.writeHead(404).end('not found');
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
