import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const pending = ctx.read(fd, Buffer.alloc(4), 0);
await ctx.close(); // the read was still queued: it is cancelled
console.log(ctx.closed, (await pending).cancelled); // true true
closeSync(fd);
rmSync(dir, { recursive: true });
