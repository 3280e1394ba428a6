import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const c = await ctx.write(fd, Buffer.from('hello'), 0);
if (c.error) throw c.error;
console.log(c.res); // 5
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
