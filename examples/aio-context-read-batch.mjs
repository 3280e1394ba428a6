import { AioContext } from 'linux-aio';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aio-'));
// A file of 4-byte records: record i holds the text "r" and i, padded.
writeFileSync(join(dir, 'records'), Array.from({ length: 100 }, (_, i) => `r${i}`.padEnd(4)).join(''));
const fd = openSync(join(dir, 'records'), 'r');
const ctx = new AioContext();
// A multi-get: three records, one Promise, one io_submit.
const wanted = [7, 42, 99];
const buffers = wanted.map(() => Buffer.alloc(4));
const results = await ctx.readBatch(fd, buffers, wanted.map((i) => i * 4));
console.log(results, buffers.map((b) => b.toString().trim())); // Int32Array(3) [ 4, 4, 4 ] [ 'r7', 'r42', 'r99' ]
console.log(ctx.stats().submitSyscalls); // 1
await ctx.close();
closeSync(fd);
rmSync(dir, { recursive: true });
