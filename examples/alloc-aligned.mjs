import { AioContext, allocAligned } from 'linux-aio';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const { O_CREAT, O_RDWR, O_DIRECT } = constants;
const fd = openSync(join(dir, 'data'), O_CREAT | O_RDWR | O_DIRECT);
const ctx = new AioContext();
const buffer = allocAligned(4096);
buffer.write('direct I/O');
const c = await ctx.write(fd, buffer, 0);
console.log(c.res); // 4096
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
