// Cached 4 KiB random reads in batches of BATCH: AioContext.readBatch (one
// Promise per batch) against the C reference doing the same batches (one
// io_submit of BATCH, then reap them all) and against a blocking
// fs.readSync loop. Every kernel-AIO reader uses RWF_NOWAIT, as a cached
// multi-get would. The C reference runs a second time under linux-aio's
// rule that every iocb signals an eventfd, which the loop watches: what the
// rule costs is then a figure of its own, apart from what JavaScript costs.
import { closeSync, openSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

import { AioContext, constants } from '../lib/index.js';
import {
  BLOCK, type Options, type Progress, type Row, type Runner, atLeast, buildReference, check, fileBytes, interleave,
  makeFile, measure, median, offsets, rate, readSyncRunner, referenceRunner, rounds, runMs, warm,
} from './support.js';

const { EAGAIN } = osConstants.errno;

export const BATCH = 64;

export const steps = (o: Options) => 4 * rounds(o);

function batchRunner(path: string, blocks: Uint32Array): Runner {
  return (ms) => measure(async () => {
    const ctx = new AioContext({ maxEvents: BATCH });
    const fd = openSync(path, 'r');
    const buffers = Array.from({ length: BATCH }, () => Buffer.alloc(BLOCK));
    const positions = new Float64Array(BATCH);
    const options = { rwFlags: constants.RWF_NOWAIT };
    let n = 0;
    const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    try {
      while (process.hrtime.bigint() < deadline) {
        for (let i = 0; i < BATCH; i++) positions[i] = blocks[(n + i) % blocks.length] * BLOCK;
        const results = await ctx.readBatch(fd, buffers, positions, options);
        for (let i = 0; i < BATCH; i++) {
          // A page reclaimed since the file was read into the cache misses
          // under RWF_NOWAIT: read it as a cached multi-get would, blocking
          // (the C reference does the same).
          const bytes = results[i] === -EAGAIN ? readSync(fd, buffers[i], 0, BLOCK, positions[i]) : results[i];
          check(buffers[i], bytes, positions[i] / BLOCK);
        }
        n += BATCH;
      }
    } finally {
      await ctx.close();
      closeSync(fd);
    }
    return n;
  });
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'batch', fileBytes(o));
  const exe = buildReference(o.dir);
  const blocks = offsets(1 << 20, fileBytes(o) / BLOCK, 0xba7c4);
  const names = [
    `AioContext.readBatch, ${BATCH} per batch`, `C kernel AIO, ${BATCH} per batch`, 'fs.readSync loop',
    `C kernel AIO, ${BATCH} per batch, an eventfd signalled per iocb`,
  ] as const;
  const samples = await interleave([
    [names[0], batchRunner(path, blocks)],
    [names[1], referenceRunner(exe, path, BATCH, 'batch')],
    [names[2], readSyncRunner(path, blocks)],
    [names[3], referenceRunner(exe, path, BATCH, 'batch-eventfd')],
  ], rounds(o), runMs(o), progress, () => warm(path));
  const ops = (name: string) => median(samples.get(name)!.map(rate));
  const row = (ours: string, versus: string, target: number | 'figure'): Row => {
    const ratio = ops(ours) / ops(versus);
    return {
      workload: `cached 4 KiB random reads, ${BATCH} per batch (RWF_NOWAIT)`, unit: 'ops/s', ratio,
      ...atLeast(ratio, target),
      ours: { name: ours, value: ops(ours) }, versus: { name: versus, value: ops(versus) },
    };
  };
  return [
    row(names[0], names[1], 0.9),
    row(names[0], names[2], 0.85),
    // The eventfd rule's own cost, and readBatch against C under that rule.
    row(names[3], names[1], 'figure'),
    row(names[0], names[3], 'figure'),
  ];
}
