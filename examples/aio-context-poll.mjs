import { AioContext, constants } from 'linux-aio';
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fs, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const r = openSync(fifo, fs.O_RDONLY | fs.O_NONBLOCK);
const w = openSync(fifo, 'w');
const ctx = new AioContext();
const ready = ctx.poll(r, constants.POLLIN);
setTimeout(() => writeSync(w, 'x'), 10); // data comes later
const c = await ready;
console.log((c.res & constants.POLLIN) !== 0); // true
await ctx.close();
closeSync(r);
closeSync(w);
rmSync(dir, { recursive: true });
