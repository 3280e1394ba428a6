// Whole-file reads, linux-aio/promises readFile against fs.promises
// readFile: one large cached file (throughput), and 1,000 small ones, 32 at
// a time (where open and close, on the threadpool for both, are most of the
// work).
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile as nodeReadFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import {
  BLOCK, DEPTH, type Options, type Progress, type Row, type Runner, fileBytes, interleave, makeFile, measure, median,
  rounds, warm,
} from './support.js';

export const steps = (o: Options) => 4 * rounds(o);

const SMALL_FILES = 1000;

function runner(path: string, bytes: number, readFile: (p: string) => Promise<Buffer>): Runner {
  return () => measure(async () => {
    const data = await readFile(path);
    if (data.length !== bytes || data.readUInt32LE(bytes - 4096) !== bytes / 4096 - 1) throw new Error('readFile: wrong data');
    return bytes;
  });
}

/**
 * Reads every file of `paths`, DEPTH at a time (each holds its own index),
 * pass after pass for about `ms`: one pass takes a few milliseconds, too
 * short a sample to measure (or to warm the JIT) alone.
 */
function smallFilesRunner(paths: string[], readFile: (p: string) => Promise<Buffer>): Runner {
  return (ms) => measure(async () => {
    const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    let files = 0;
    do {
      let next = 0;
      const lane = async () => {
        while (next < paths.length) {
          const i = next++;
          const data = await readFile(paths[i]);
          if (data.length !== BLOCK || data.readUInt32LE(0) !== i) throw new Error(`readFile: wrong data in file ${i}`);
        }
      };
      await Promise.all(Array.from({ length: DEPTH }, lane));
      files += paths.length;
    } while (process.hrtime.bigint() < deadline);
    return files;
  });
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const bytes = fileBytes(o);
  const path = makeFile(o.dir, 'whole', bytes);
  const names = ['linux-aio/promises readFile', 'fs.promises readFile'] as const;
  const samples = await interleave([
    [names[0], runner(path, bytes, (p) => aioFs.readFile(p))],
    [names[1], runner(path, bytes, (p) => nodeReadFile(p))],
  ], rounds(o), 0, progress, () => warm(path));
  const mibps = (name: string) => median(samples.get(name)!.map((s) => s.ops / s.seconds / (1 << 20)));
  const ratio = mibps(names[0]) / mibps(names[1]);

  const paths = Array.from({ length: SMALL_FILES }, (_, i) => {
    const file = join(o.dir, `small-${i}`);
    const data = Buffer.alloc(BLOCK, 0x3c);
    data.writeUInt32LE(i, 0);
    writeFileSync(file, data);
    return file;
  });
  const small = await interleave([
    [names[0], smallFilesRunner(paths, (p) => aioFs.readFile(p))],
    [names[1], smallFilesRunner(paths, (p) => nodeReadFile(p))],
  ], rounds(o), o.quick ? 300 : 1000, progress, () => { for (const p of paths) readFileSync(p); });
  const filesPerSecond = (name: string) => median(small.get(name)!.map((s) => s.ops / s.seconds));
  const smallRatio = filesPerSecond(names[0]) / filesPerSecond(names[1]);
  return [{
    workload: `readFile of a cached ${bytes >> 20} MiB file`, unit: 'MiB/s', ratio, target: '>= 1.0x', met: ratio >= 1,
    ours: { name: names[0], value: mibps(names[0]) }, versus: { name: names[1], value: mibps(names[1]) },
  }, {
    workload: `readFile of ${SMALL_FILES.toLocaleString('en-US')} cached 4 KiB files, ${DEPTH} at a time`, unit: 'files/s',
    ratio: smallRatio, target: '>= 1.0x', met: smallRatio >= 1,
    ours: { name: names[0], value: filesPerSecond(names[0]) }, versus: { name: names[1], value: filesPerSecond(names[1]) },
  }];
}
