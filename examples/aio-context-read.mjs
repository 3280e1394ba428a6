import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), 'hello, kernel');
const fd = openSync(join(dir, 'data'), 'r');
const ctx = new AioContext();
const buffer = Buffer.alloc(6);
const c = await ctx.read(fd, buffer, 7);
if (c.error) throw c.error;
console.log(c.res, buffer.toString()); // 6 kernel
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
