import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
await Promise.all([ctx.write(fd, Buffer.from('ab'), 0), ctx.write(fd, Buffer.from('cd'), 2)]);
const { submitted, submitSyscalls, completed } = ctx.stats();
console.log(submitted, submitSyscalls, completed); // 2 1 2
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
