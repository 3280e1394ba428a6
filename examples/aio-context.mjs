import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), 'hello, kernel');
const fd = openSync(join(dir, 'data'), 'r');
const ctx = new AioContext({ maxEvents: 64 });
// Both reads go to the kernel in one io_submit.
const a = Buffer.alloc(5), b = Buffer.alloc(6);
const [ca, cb] = await Promise.all([ctx.read(fd, a, 0), ctx.read(fd, b, 7)]);
console.log(ca.res, cb.res, a.toString(), b.toString()); // 5 6 hello kernel
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
