import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), 'headerbody');
const fd = openSync(join(dir, 'data'), 'r');
const ctx = new AioContext();
const head = Buffer.alloc(6), body = Buffer.alloc(4);
const c = await ctx.readv(fd, [head, body], 0);
console.log(c.res, head.toString(), body.toString()); // 10 header body
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
