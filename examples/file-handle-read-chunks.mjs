import { mkdtemp, open, rm, writeFile } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
await writeFile(join(dir, 'data'), Buffer.alloc(200_000));
const fh = await open(join(dir, 'data'));
let total = 0;
for await (const chunk of fh.readChunks({ chunkSize: 65536, depth: 4 })) total += chunk.length;
console.log(total); // 200000
await fh.close();
await rm(dir, { recursive: true });
