import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'journal'), 'w+');
const ctx = new AioContext();
// Two records go in one io_submit; once both are written, one fdatasync
// makes them durable together.
const [first, second] = [Buffer.from('first\n'), Buffer.from('second\n')];
await Promise.all([ctx.write(fd, first, 0), ctx.write(fd, second, first.length)]);
const { res, error } = await ctx.fdsync(fd);
console.log(res, error); // 0 null
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
