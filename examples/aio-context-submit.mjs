import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
const fd = openSync(join(dir, 'data'), 'w+');
const ctx = new AioContext();
const requests = ctx.submit([
  { op: 'write', fd, buffer: Buffer.from('one'), position: 0, tag: 'first' },
  { op: 'write', fd, buffer: Buffer.from('two'), position: 3, tag: 'second' },
]);
const [one, two] = await Promise.all(requests);
console.log(one.request.tag, one.res); // first 3
console.log(two.request.tag, two.res); // second 3
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
