// Cached 4 KiB random reads, DEPTH in flight: AioContext, the drop-in,
// fs.promises, and a blocking fs.readSync loop.
import { constants as fsConstants } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';

import * as aioFs from '../lib/promises.js';
import {
  BLOCK, DEPTH, type Options, type Progress, type Row, type Runner, atLeast, contextRunner, fileBytes,
  fileHandleRunner, interleave, makeFile, median, offsets, rate, readSyncRunner, rounds, runMs, warm,
} from './support.js';

const { O_RDONLY } = fsConstants;
const plainBuffer = () => Buffer.alloc(BLOCK);

export const steps = (o: Options) => 4 * rounds(o);

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'cached', fileBytes(o));
  const blocks = offsets(1 << 20, fileBytes(o) / BLOCK, 0x5eed);
  const names = ['AioContext.read', 'linux-aio/promises read', 'fs.promises read', 'fs.readSync loop'] as const;
  const samples = await interleave([
    [names[0], contextRunner(path, O_RDONLY, blocks, plainBuffer)],
    [names[1], fileHandleRunner(path, O_RDONLY, blocks, plainBuffer, aioFs.open)],
    [names[2], fileHandleRunner(path, O_RDONLY, blocks, plainBuffer, nodeOpen)],
    [names[3], readSyncRunner(path, blocks)],
  ], rounds(o), runMs(o), progress, () => warm(path));
  const ops = (name: string) => median(samples.get(name)!.map(rate));
  const row = (workload: string, ours: string, versus: string, target: number | 'figure'): Row => {
    const ratio = ops(ours) / ops(versus);
    return {
      workload, unit: 'ops/s', ratio, ...atLeast(ratio, target),
      ours: { name: ours, value: ops(ours) }, versus: { name: versus, value: ops(versus) },
    };
  };
  const workload = `cached 4 KiB random reads, ${DEPTH} in flight`;
  // The blocking readSync loop is the yardstick: one thread doing the same
  // copies with no asynchrony, not varying with the threadpool as
  // fs.promises does (its ratios are shown as figures).
  return [
    row(workload, names[0], names[3], 0.8),
    row(workload, names[1], names[3], 0.7),
    row(workload, names[1], names[0], 0.85),
    row(workload, names[0], names[2], 'figure'),
    row(workload, names[1], names[2], 'figure'),
  ];
}
