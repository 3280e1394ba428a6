// Shared pieces of `npm run bench`: data files, random offsets, depth-bound
// lanes, medians and the progress of the suite.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AioContext } from '../lib/index.js';

export const BLOCK = 4096;
export const DEPTH = 32;

export interface Options {
  quick: boolean;
  /** A directory on a real filesystem (O_DIRECT needs one; not tmpfs). */
  dir: string;
}

/** Interleaved rounds of a workload; each runner runs once a round. */
export const rounds = (o: Options) => (o.quick ? 3 : 5);
/** How long one runner runs in a round of a throughput workload. */
export const runMs = (o: Options) => (o.quick ? 400 : 1500);
/** The data file of a throughput workload: large enough that random reads rarely repeat a block. */
export const fileBytes = (o: Options) => (o.quick ? 64 : 256) << 20;

export interface Sample { ops: number; seconds: number; cpuSeconds: number }

/** One measured reader: runs for about `ms` and says what it did. */
export type Runner = (ms: number) => Promise<Sample>;

/** One row of the results: ours against its comparison, with the target ratio. */
export interface Row {
  workload: string;
  ours: { name: string; value: number };
  versus: { name: string; value: number };
  unit: string;
  /** ours / versus, or versus / ours where lower is better. */
  ratio: number;
  target: string;
  met: boolean;
}

/** A row's target and whether `ratio` meets it: at least `target` times, or a figure, which has none. */
export function atLeast(ratio: number, target: number | 'figure'): Pick<Row, 'target' | 'met'> {
  return target === 'figure' ? { target: 'figure', met: true } : { target: `>= ${target}x`, met: ratio >= target };
}

// Each 4 KiB block starts with its own index, so any read can be checked.
export function makeFile(dir: string, name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(BLOCK * 256, 0xa5);
  for (let b = 0; b < bytes / BLOCK; b += 256) {
    for (let i = 0; i < 256; i++) chunk.writeUInt32LE(b + i, i * BLOCK);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return path;
}

const REFERENCE_SOURCE = fileURLToPath(new URL('../../benchmarks/c/aio-ref.c', import.meta.url));

/** Builds the C reference (benchmarks/c/aio-ref.c) into `dir` with the system compiler. */
export function buildReference(dir: string): string {
  const exe = join(dir, 'aio-ref');
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', exe, REFERENCE_SOURCE], { stdio: ['ignore', 'ignore', 'inherit'] });
  return exe;
}

/** The C reference as a Runner: `depth` reads in flight (or per batch), a fresh seed each sample. */
export function referenceRunner(exe: string, path: string, depth: number, mode?: 'batch' | 'batch-eventfd'): Runner {
  let seed = 1;
  return async (ms) => {
    const args = [path, String(depth), String(ms / 1000), String(seed++)];
    if (mode) args.push(mode);
    const out = execFileSync(exe, args, { encoding: 'utf8' });
    const [ops, seconds, cpuSeconds] = out.trim().split(/\s+/).map(Number);
    return { ops, seconds, cpuSeconds };
  };
}

/** Reads the whole file once, so its pages are cached. */
export function warm(path: string): void {
  const fd = openSync(path, 'r');
  const big = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, big) > 0);
  closeSync(fd);
}

export function offsets(count: number, blocks: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let x = seed;
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x >>> 0) % blocks;
  }
  return out;
}

export function check(buf: Uint8Array, bytes: number, block: number): void {
  const header = buf[0] | (buf[1] << 8) | (buf[2] << 16) | (buf[3] << 24);
  if (bytes !== BLOCK || header >>> 0 !== block) {
    throw new Error(`bad read of block ${block}: ${bytes} bytes, header ${header >>> 0}`);
  }
}

/** Wall and CPU time of `work`, with its operation count. */
export async function measure(work: () => Promise<number>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const ops = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { ops, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * DEPTH lanes, each awaiting its read before issuing the next, for `ms`.
 * `makeBuffer` gives each lane its buffer (aligned ones for O_DIRECT).
 * The lane awaits what `readOne` returns (the AioRequest, the FileHandle's
 * Promise) itself, as a caller's code would, with no async function of the
 * benchmark's between; `bytesOf` takes the byte count from its result.
 */
export function lanes<T>(ms: number, blocks: Uint32Array, makeBuffer: () => Uint8Array,
  readOne: (buf: Uint8Array, block: number) => PromiseLike<T>, bytesOf: (result: T) => number): Promise<Sample> {
  return measure(async () => {
    let next = 0;
    const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    // Each lane looks at the clock every 32 reads, not at every read: the
    // readSync loop looks every 1,024, and a clock read (a BigInt each) is
    // not what either side is measured for. The first lane past the
    // deadline stops them all at their next read, so none trails on alone.
    let stopped = false;
    const lane = async () => {
      const buf = makeBuffer();
      let reads = 0;
      while (!stopped) {
        if ((reads++ & 31) === 0 && process.hrtime.bigint() >= deadline) {
          stopped = true;
          break;
        }
        const block = blocks[next++ % blocks.length];
        check(buf, bytesOf(await readOne(buf, block)), block);
      }
    };
    await Promise.all(Array.from({ length: DEPTH }, lane));
    return next;
  });
}

/** A blocking fs.readSync loop over `blocks`: the yardstick, one thread doing the same copies with no asynchrony. */
export function readSyncRunner(path: string, blocks: Uint32Array): Runner {
  return (ms) => measure(async () => {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(BLOCK);
    let n = 0;
    const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    while ((n & 1023) !== 0 || process.hrtime.bigint() < deadline) {
      const block = blocks[n++ % blocks.length];
      check(buf, readSync(fd, buf, 0, BLOCK, block * BLOCK), block);
    }
    closeSync(fd);
    return n;
  });
}

/** AioContext.read in DEPTH lanes, on `path` opened with `flags`. */
export function contextRunner(path: string, flags: number, blocks: Uint32Array, makeBuffer: () => Uint8Array): Runner {
  return async (ms) => {
    const ctx = new AioContext({ maxEvents: DEPTH });
    const fd = openSync(path, flags);
    try {
      return await lanes(ms, blocks, makeBuffer, (buf, block) => ctx.read(fd, buf, block * BLOCK), (c) => c.res);
    } finally {
      await ctx.close();
      closeSync(fd);
    }
  };
}

/** FileHandle.read in DEPTH lanes, through `open` (node:fs/promises or the drop-in). */
export function fileHandleRunner(path: string, flags: number, blocks: Uint32Array, makeBuffer: () => Uint8Array,
  open: typeof nodeOpen): Runner {
  return async (ms) => {
    const fh = await open(path, flags);
    try {
      return await lanes(ms, blocks, makeBuffer, (buf, block) => fh.read(buf, 0, BLOCK, block * BLOCK), (r) => r.bytesRead);
    } finally {
      await fh.close();
    }
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Where the suite draws its progress: a fraction done and a line of text
 * (`linux-aio bench` passes lib/cli's ProgressLine). The suite imports
 * nothing from the CLI that runs it.
 */
export interface ProgressSink {
  draw(fraction: number, text: string, force?: boolean): void;
  clear(): void;
}

/** The suite's progress: a bar of the steps done and the runner at work. */
export class Progress {
  #done = 0;
  readonly #total: number;
  readonly #line: ProgressSink;
  constructor(total: number, line: ProgressSink) {
    this.#total = total;
    this.#line = line;
  }
  step(what: string): void {
    this.#done++;
    this.#line.draw(this.#done / this.#total, `${this.#done}/${this.#total} ${what}`, true);
  }
}

/**
 * Runs each runner `rounds` times, interleaved (one of each, then again,
 * each round starting one runner later), and returns every sample by name.
 * `before` runs before each sample, untimed: for cached workloads, reading
 * the file back into the page cache, which a machine's memory reclaim may
 * thin out during a long run (DAMON's pageout of cold pages does, on some
 * VMs, with memory to spare).
 */
export async function interleave(runners: [string, Runner][], rounds: number, ms: number, progress: Progress,
  before?: () => void): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(runners.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // Each round starts with the next runner, so no runner always follows
    // the same one, whose garbage its GC would pay for, or always comes
    // first, after the workload's set-up.
    for (let i = 0; i < runners.length; i++) {
      const [name, run] = runners[(round + i) % runners.length];
      progress.step(name);
      before?.();
      samples.get(name)!.push(await run(ms));
    }
  }
  return samples;
}

export const rate = (s: Sample) => s.ops / s.seconds;
export const cpuPerOp = (s: Sample) => s.cpuSeconds / s.ops;
