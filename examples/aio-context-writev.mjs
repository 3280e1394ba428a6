import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const c = await ctx.writev(fd, [Buffer.from('head,'), Buffer.from('body')], 0);
console.log(c.res); // 9
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
