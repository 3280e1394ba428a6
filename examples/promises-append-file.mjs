import { appendFile, mkdtemp, readFile, rm } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'log.txt');
await appendFile(path, 'first\n');
await appendFile(path, 'second\n');
console.log(JSON.stringify(await readFile(path, 'utf8'))); // "first\nsecond\n"
await rm(dir, { recursive: true });
