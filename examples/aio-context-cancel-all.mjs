import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), 'abcdefgh');
const fd = openSync(join(dir, 'data'), 'r');
const ctx = new AioContext();
// Still queued in user space (this loop turn's batch): cancelled for sure.
const reads = [0, 4].map((position) => ctx.read(fd, Buffer.alloc(4), position));
const all = await ctx.cancelAll();
console.log(all.map((c) => `${c.cancelled} ${c.error?.code}`)); // [ 'true ECANCELED', 'true ECANCELED' ]
console.log((await reads[0]) === all[0]); // true
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
