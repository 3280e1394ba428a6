import { mkdtemp, open, rm } from 'linux-aio/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = await mkdtemp(join(tmpdir(), 'aio-'));
// Direct I/O, yet any buffer, offset and length will do.
const fh = await open(join(dir, 'data'), 'w+', 0o644, { direct: true });
await fh.write('hello, direct I/O', 0);
const { bytesRead, buffer } = await fh.read(Buffer.alloc(6), 0, 6, 7);
console.log(bytesRead, buffer.toString()); // 6 direct
await fh.close();
await rm(dir, { recursive: true });
