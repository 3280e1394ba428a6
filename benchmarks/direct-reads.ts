// O_DIRECT 4 KiB random reads, DEPTH in flight: AioContext against the C
// reference (kernel AIO at the same depth, built here with the system
// compiler) for IOPS, and against fs.promises for CPU time per read.
import { constants as fsConstants } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';

import { allocAligned } from '../lib/index.js';
import {
  BLOCK, DEPTH, type Options, type Progress, type Row, buildReference, contextRunner, cpuPerOp, fileBytes,
  fileHandleRunner, interleave, makeFile, median, offsets, rate, referenceRunner, rounds, runMs,
} from './support.js';

const { O_DIRECT, O_RDONLY } = fsConstants;
const alignedBuffer = () => allocAligned(BLOCK);

export const steps = (o: Options) => 3 * rounds(o);

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'direct', fileBytes(o));
  const exe = buildReference(o.dir);
  const blocks = offsets(1 << 20, fileBytes(o) / BLOCK, 0xd1ec7);
  const names = ['AioContext.read (O_DIRECT)', 'C kernel AIO (O_DIRECT)', 'fs.promises read (O_DIRECT)'] as const;
  const samples = await interleave([
    [names[0], contextRunner(path, O_RDONLY | O_DIRECT, blocks, alignedBuffer)],
    [names[1], referenceRunner(exe, path, DEPTH)],
    [names[2], fileHandleRunner(path, O_RDONLY | O_DIRECT, blocks, alignedBuffer, nodeOpen)],
  ], rounds(o), runMs(o), progress);
  const iops = (name: string) => median(samples.get(name)!.map(rate));
  const cpu = (name: string) => median(samples.get(name)!.map(cpuPerOp)) * 1e6;
  const workload = `O_DIRECT 4 KiB random reads, ${DEPTH} in flight`;
  const iopsRatio = iops(names[0]) / iops(names[1]);
  const cpuRatio = cpu(names[0]) / cpu(names[2]);
  return [
    {
      workload, unit: 'IOPS', ratio: iopsRatio, target: '>= 0.95x', met: iopsRatio >= 0.95,
      ours: { name: names[0], value: iops(names[0]) }, versus: { name: names[1], value: iops(names[1]) },
    },
    {
      workload, unit: 'CPU µs/read', ratio: cpuRatio, target: '<= 0.5x', met: cpuRatio <= 0.5,
      ours: { name: names[0], value: cpu(names[0]) }, versus: { name: names[2], value: cpu(names[2]) },
    },
  ];
}
