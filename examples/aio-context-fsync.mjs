import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
await ctx.write(fd, Buffer.from('durable'), 0);
const c = await ctx.fsync(fd);
console.log(c.res); // 0
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
