import { AioContext, constants } from 'linux-aio';
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fs, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const r = openSync(fifo, fs.O_RDONLY | fs.O_NONBLOCK);
const w = openSync(fifo, 'w');
const ctx = new AioContext();
ctx.poll(r, constants.POLLIN);
ctx.poll(r, constants.POLLPRI);
const all = await ctx.cancelAll();
console.log(all.map((c) => c.cancelled)); // [ true, true ]
await ctx.close();
closeSync(r);
closeSync(w);
rmSync(dir, { recursive: true });
