import { AioContext, constants, ioprio } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const background = ioprio(constants.IOPRIO_CLASS_IDLE, 7);
const c = await ctx.write(fd, Buffer.from('later'), 0, { priority: background });
console.log(background, c.res); // 24583 5
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
