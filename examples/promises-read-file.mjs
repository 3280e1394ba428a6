import { mkdtemp, readFile, rm, writeFile } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'data.txt');
await writeFile(path, 'x'.repeat(100_000));
const text = await readFile(path, 'utf8');
console.log(text.length); // 100000
await rm(dir, { recursive: true });
