import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const request = ctx.write(fd, Buffer.from('hello'), 0);
await new Promise((resolve) => setImmediate(resolve)); // now in the kernel
// A regular-file write cannot be cancelled: the write wins.
const c = await request.cancel();
console.log(c.cancelled, c.res); // false 5
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
