import { mkdtemp, readFile, rm, stats, writeFile } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'data');
await writeFile(path, 'in the page cache');
await readFile(path); // served by kernel AIO, RWF_NOWAIT
const { backend, kernel, nowaitHits, threadpool } = stats();
console.log(backend, kernel, nowaitHits, threadpool); // kernel-aio 1 1 1
await rm(dir, { recursive: true });
