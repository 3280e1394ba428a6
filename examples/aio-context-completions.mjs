import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
writeFileSync(join(dir, 'data'), 'abcdefgh');
const fd = openSync(join(dir, 'data'), 'r');
const ctx = new AioContext();
const completions = ctx.completions();
ctx.read(fd, Buffer.alloc(4), 0, { tag: 'first half' });
ctx.read(fd, Buffer.alloc(4), 4, { tag: 'second half' });
let seen = 0;
for await (const c of completions) {
  console.log(c.request.tag, c.res);
  if (++seen === 2) break;
}
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
