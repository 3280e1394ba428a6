// Serial awaited 4 KiB cached reads (one in flight): median latency of
// AioContext against fs.promises FileHandle.read.
import { closeSync, openSync } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';

import { AioContext } from '../lib/index.js';
import {
  BLOCK, type Options, type Progress, type Row, check, makeFile, median, offsets, rounds, warm,
} from './support.js';

const READS = (o: Options) => (o.quick ? 2000 : 10000);

export const steps = (o: Options) => 2 * rounds(o);

/** Median latency in µs of `count` serial reads. */
async function serial(count: number, blocks: Uint32Array, readOne: (buf: Buffer, block: number) => Promise<number>): Promise<number> {
  const buf = Buffer.alloc(BLOCK);
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const block = blocks[i % blocks.length];
    const t = process.hrtime.bigint();
    const n = await readOne(buf, block);
    times[i] = Number(process.hrtime.bigint() - t) / 1000;
    check(buf, n, block);
  }
  return median(Array.from(times));
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'latency', 16 << 20);
  warm(path);
  const blocks = offsets(1 << 16, (16 << 20) / BLOCK, 0x1a7e);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds(o); round++) {
    progress.step('AioContext.read, one at a time');
    const ctx = new AioContext({ maxEvents: 4 });
    const fd = openSync(path, 'r');
    ours.push(await serial(READS(o), blocks, async (buf, block) => (await ctx.read(fd, buf, block * BLOCK)).res));
    await ctx.close();
    closeSync(fd);
    progress.step('fs.promises read, one at a time');
    const fh = await nodeOpen(path, 'r');
    theirs.push(await serial(READS(o), blocks, async (buf, block) => (await fh.read(buf, 0, BLOCK, block * BLOCK)).bytesRead));
    await fh.close();
  }
  const ratio = median(ours) / median(theirs);
  return [{
    workload: 'serial awaited 4 KiB cached reads', unit: 'µs median latency', ratio, target: '<= 0.3x', met: ratio <= 0.3,
    ours: { name: 'AioContext.read', value: median(ours) }, versus: { name: 'fs.promises read', value: median(theirs) },
  }];
}
