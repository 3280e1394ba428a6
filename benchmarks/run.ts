// npm run bench [-- --quick] [-- --json]
//
// 4 KiB random reads of a page-cached file, 32 in flight, through AioContext
// and through fs.promises FileHandle.read, plus a blocking fs.readSync loop
// for reference. Same file, same offsets, every result checked; the runs are
// interleaved and the median of each is reported with the ratio.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AioContext } from '../lib/index.js';
import * as aioFs from '../lib/promises.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');

const BLOCK = 4096;
const DEPTH = 32;
const FILE_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const BLOCKS = FILE_BYTES / BLOCK;
const RUN_MS = quick ? 400 : 1500;
const ROUNDS = quick ? 3 : 5;

function log(line: string): void {
  if (!json) process.stderr.write(`${line}\n`);
}

// Each 4 KiB block starts with its own index, so any read can be checked.
function makeFile(dir: string): string {
  const path = join(dir, 'data');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(BLOCK * 256, 0xa5);
  for (let b = 0; b < BLOCKS; b += 256) {
    for (let i = 0; i < 256; i++) chunk.writeUInt32LE(b + i, i * BLOCK);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  // Warm the page cache: this benchmark is about cached reads.
  const rfd = openSync(path, 'r');
  const big = Buffer.allocUnsafe(1 << 20);
  while (readSync(rfd, big) > 0);
  closeSync(rfd);
  return path;
}

function offsets(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x >>> 0) % BLOCKS;
  }
  return out;
}

function check(buf: Buffer, bytes: number, block: number): void {
  if (bytes !== BLOCK || buf.readUInt32LE(0) !== block) {
    throw new Error(`bad read of block ${block}: ${bytes} bytes, header ${buf.readUInt32LE(0)}`);
  }
}

interface Sample { ops: number; seconds: number }

type Runner = (blocks: Uint32Array) => Promise<Sample>;

// DEPTH lanes, each awaiting its read before issuing the next, until time is up.
async function lanes(blocks: Uint32Array, readOne: (buf: Buffer, block: number) => Promise<number>): Promise<Sample> {
  let next = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(RUN_MS) * 1_000_000n;
  const lane = async () => {
    const buf = Buffer.alloc(BLOCK);
    while (process.hrtime.bigint() < deadline) {
      const block = blocks[next++ % blocks.length];
      check(buf, await readOne(buf, block), block);
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, lane));
  return { ops: next, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function aioRunner(path: string): Runner {
  return async (blocks) => {
    const ctx = new AioContext({ maxEvents: DEPTH });
    const fd = openSync(path, 'r');
    try {
      return await lanes(blocks, async (buf, block) => (await ctx.read(fd, buf, block * BLOCK)).res);
    } finally {
      await ctx.close();
      closeSync(fd);
    }
  };
}

// FileHandle.read at the same depth, through node:fs/promises or the drop-in.
function fileHandleRunner(path: string, open: typeof nodeOpen): Runner {
  return async (blocks) => {
    const fh = await open(path, 'r');
    try {
      return await lanes(blocks, async (buf, block) => (await fh.read(buf, 0, BLOCK, block * BLOCK)).bytesRead);
    } finally {
      await fh.close();
    }
  };
}

function readSyncRunner(path: string): Runner {
  return async (blocks) => {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(BLOCK);
    let n = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(RUN_MS) * 1_000_000n;
    while ((n & 1023) !== 0 || process.hrtime.bigint() < deadline) {
      const block = blocks[n++ % blocks.length];
      check(buf, readSync(fd, buf, 0, BLOCK, block * BLOCK), block);
    }
    closeSync(fd);
    return { ops: n, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'linux-aio-bench-'));
  try {
    log(`preparing a ${FILE_BYTES >> 20} MiB file in ${dir} ...`);
    const path = makeFile(dir);
    const blocks = offsets(1 << 20, 0x5eed);
    const runners: [string, Runner][] = [
      ['AioContext.read', aioRunner(path)],
      ['linux-aio/promises FileHandle.read', fileHandleRunner(path, aioFs.open)],
      ['fs.promises FileHandle.read', fileHandleRunner(path, nodeOpen)],
      ['fs.readSync loop (blocks the loop)', readSyncRunner(path)],
    ];
    const rates = new Map<string, number[]>(runners.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of runners) {
        const s = await run(blocks);
        rates.get(name)!.push(s.ops / s.seconds);
        log(`  round ${round + 1}/${ROUNDS}  ${name.padEnd(36)} ${Math.round(s.ops / s.seconds).toLocaleString('en-US').padStart(10)} ops/s`);
      }
    }
    const aio = median(rates.get('AioContext.read')!);
    const rows = runners.map(([name]) => {
      const ops = median(rates.get(name)!);
      return { name, opsPerSec: Math.round(ops), aioRatio: aio / ops };
    });
    const result = {
      workload: `4 KiB random reads, page cache warm, ${DEPTH} in flight, ${FILE_BYTES >> 20} MiB file`,
      rounds: ROUNDS, secondsPerRun: RUN_MS / 1000, node: process.version, rows,
    };
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(`\n${result.workload}; median of ${ROUNDS} interleaved runs of ${RUN_MS / 1000} s\n`);
    console.log(`| ${'reader'.padEnd(36)} | ${'ops/s'.padStart(10)} | AioContext is |`);
    console.log(`|${'-'.repeat(38)}|${'-'.repeat(12)}|---------------|`);
    for (const r of rows) {
      console.log(`| ${r.name.padEnd(36)} | ${r.opsPerSec.toLocaleString('en-US').padStart(10)} | ${(r.aioRatio.toFixed(2) + 'x').padStart(13)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
