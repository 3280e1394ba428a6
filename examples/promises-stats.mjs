import { mkdtemp, open, rm, stats, writeFile } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
const path = join(dir, 'data');
await writeFile(path, 'in the page cache'); // buffered writes: the threadpool
const fh = await open(path);
await fh.read(Buffer.alloc(17), 0, 17, 0); // served by kernel AIO, RWF_NOWAIT
await fh.close();
const { backend, kernel, nowaitHits, threadpool } = stats();
console.log(backend, kernel, nowaitHits, threadpool); // kernel-aio 1 1 1
await rm(dir, { recursive: true });
