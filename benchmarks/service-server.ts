// The server of the service benchmark (service.ts), run as its own process:
//
//   node service-server.js aio|node|readSync|none DATA_FILE STATIC_FILE
//
// GET /record answers with a 4 KiB record read at a random offset of
// DATA_FILE; GET /static with the whole of STATIC_FILE. `aio` and `node`
// run the same code, with the import of linux-aio/promises or
// node:fs/promises the only difference; `readSync` reads with a blocking
// fs.readSync in the handler (the blocking ceiling); `none` reads nothing
// and answers with a buffer it already has (the HTTP ceiling). It prints
// its port once listening, and every read is checked.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:http';

import { BLOCK } from './support.js';

const [mode, dataPath, staticPath] = process.argv.slice(2);
if (!['aio', 'node', 'readSync', 'none'].includes(mode) || !dataPath || !staticPath) {
  console.error('usage: service-server aio|node|readSync|none DATA_FILE STATIC_FILE');
  process.exit(2);
}
const fs: typeof import('node:fs/promises') = mode === 'aio'
  ? await import('../lib/promises.js') as unknown as typeof import('node:fs/promises')
  : await import('node:fs/promises');

const blocks = statSync(dataPath).size / BLOCK;
const staticBytes = readFileSync(staticPath);
const handle = mode === 'aio' || mode === 'node' ? await fs.open(dataPath, 'r') : null;
const fd = mode === 'readSync' ? openSync(dataPath, 'r') : -1;
const canned = Buffer.alloc(BLOCK, 0xa5);

/** A random 4 KiB record of the data file, checked: each block starts with its index. */
async function record(): Promise<Buffer> {
  const block = Math.floor(Math.random() * blocks);
  const buf = Buffer.allocUnsafe(BLOCK);
  const bytes = handle !== null ? (await handle.read(buf, 0, BLOCK, block * BLOCK)).bytesRead
    : readSync(fd, buf, 0, BLOCK, block * BLOCK);
  if (bytes !== BLOCK || buf.readUInt32LE(0) !== block) throw new Error(`bad read of block ${block}`);
  return buf;
}

async function staticFile(): Promise<Buffer> {
  const data = mode === 'readSync' ? readFileSync(staticPath) : await fs.readFile(staticPath);
  if (!data.equals(staticBytes)) throw new Error('bad read of the static file');
  return data;
}

const server = createServer((req, res) => {
  const answer = mode === 'none' ? Promise.resolve(canned)
    : req.url === '/static' ? staticFile() : record();
  answer.then((body) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  }, (error: Error) => {
    res.writeHead(500);
    res.end(error.message);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address !== null ? address.port : 0);
});
process.on('SIGTERM', () => {
  server.close();
  void handle?.close();
  if (fd >= 0) closeSync(fd);
  process.exit(0);
});
