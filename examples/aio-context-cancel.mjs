import { AioContext, constants } from 'linux-aio';
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fs, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ctx = new AioContext();
const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const r = openSync(fifo, fs.O_RDONLY | fs.O_NONBLOCK); // no writer: no data will come
const request = ctx.poll(r, constants.POLLIN);
await new Promise((resolve) => setTimeout(resolve, 10)); // now in the kernel
const c = await ctx.cancel(request);
console.log(c.cancelled, c.res); // true 0
await ctx.close();
closeSync(r);
rmSync(dir, { recursive: true });
