import { adopt, mkdtemp, rm, stats, writeFile } from 'linux-aio/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'data');
await writeFile(path, 'opened by node:fs');
const fh = adopt(await open(path)); // node's own FileHandle
const before = stats().kernel;
const { buffer } = await fh.read(Buffer.alloc(6), 0, 6, 0);
console.log(buffer.toString(), stats().kernel - before); // opened 1
await fh.close();
await rm(dir, { recursive: true });
