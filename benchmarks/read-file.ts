// Whole-file reads of a cached file: linux-aio/promises readFile against
// fs.promises readFile, throughput.
import { readFile as nodeReadFile } from 'node:fs/promises';

import * as aioFs from '../lib/promises.js';
import { type Options, type Progress, type Row, type Runner, interleave, makeFile, measure, median, warm } from './support.js';

export const rounds = (o: Options) => (o.quick ? 3 : 5);
const FILE_BYTES = (o: Options) => (o.quick ? 64 : 256) << 20;

export const steps = (o: Options) => 2 * rounds(o);

function runner(path: string, bytes: number, readFile: (p: string) => Promise<Buffer>): Runner {
  return () => measure(async () => {
    const data = await readFile(path);
    if (data.length !== bytes || data.readUInt32LE(bytes - 4096) !== bytes / 4096 - 1) throw new Error('readFile: wrong data');
    return bytes;
  });
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const bytes = FILE_BYTES(o);
  const path = makeFile(o.dir, 'whole', bytes);
  warm(path);
  const names = ['linux-aio/promises readFile', 'fs.promises readFile'] as const;
  const samples = await interleave([
    [names[0], runner(path, bytes, (p) => aioFs.readFile(p))],
    [names[1], runner(path, bytes, (p) => nodeReadFile(p))],
  ], rounds(o), 0, progress);
  const mibps = (name: string) => median(samples.get(name)!.map((s) => s.ops / s.seconds / (1 << 20)));
  const ratio = mibps(names[0]) / mibps(names[1]);
  return [{
    workload: `readFile of a cached ${bytes >> 20} MiB file`, unit: 'MiB/s', ratio, target: '>= 1.0x', met: ratio >= 1,
    ours: { name: names[0], value: mibps(names[0]) }, versus: { name: names[1], value: mibps(names[1]) },
  }];
}
