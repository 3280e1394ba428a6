// The event-loop stall under cold-cache buffered random reads: the longest
// event-loop delay (perf_hooks.monitorEventLoopDelay) while 32 reads are in
// flight, for the drop-in (RWF_NOWAIT, misses go to the threadpool), plain
// kernel AIO without NOWAIT (the cold read runs inside io_submit), and
// node:fs. Needs root for /proc/sys/vm/drop_caches; skipped otherwise.
import { closeSync, fsyncSync, openSync, writeFileSync } from 'node:fs';
import { open as nodeOpen } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { AioContext } from '../lib/index.js';
import * as aioFs from '../lib/promises.js';
import { BLOCK, DEPTH, type Options, type Progress, type Row, makeFile, median, offsets } from './support.js';

const RUN_MS = (o: Options) => (o.quick ? 500 : 1500);
const FILE_BYTES = (o: Options) => (o.quick ? 128 : 512) << 20;
export const rounds = (o: Options) => (o.quick ? 1 : 3);
export const steps = (o: Options) => 3 * rounds(o);

/** Evicts `path` from the page cache: written back first (drop_caches leaves dirty pages), then dropped. */
function dropCaches(path: string): boolean {
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

interface Delay { max: number; p99: number }

/** Event-loop delay in ms (max, p99) while DEPTH lanes read for `ms`. */
async function stall(ms: number, blocks: Uint32Array, readOne: (buf: Buffer, block: number) => Promise<number>): Promise<Delay> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let next = 0;
  const deadline = Date.now() + ms;
  const lane = async () => {
    const buf = Buffer.alloc(BLOCK);
    while (Date.now() < deadline) {
      const n = await readOne(buf, blocks[next++ % blocks.length]);
      if (n !== BLOCK) throw new Error(`read: ${n}`);
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, lane));
  h.disable();
  return { max: h.max / 1e6, p99: h.percentile(99) / 1e6 };
}

const names = ['linux-aio/promises read', 'AioContext.read without NOWAIT', 'fs.promises read'] as const;

async function once(name: string, path: string, ms: number, blocks: Uint32Array): Promise<Delay> {
  if (name === names[1]) {
    const ctx = new AioContext({ maxEvents: DEPTH });
    const fd = openSync(path, 'r');
    try {
      return await stall(ms, blocks, async (buf, block) => (await ctx.read(fd, buf, block * BLOCK)).res);
    } finally {
      await ctx.close();
      closeSync(fd);
    }
  }
  const fh = await (name === names[0] ? aioFs.open : nodeOpen)(path, 'r');
  try {
    return await stall(ms, blocks, async (buf, block) => (await fh.read(buf, 0, BLOCK, block * BLOCK)).bytesRead);
  } finally {
    await fh.close();
  }
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const bytes = FILE_BYTES(o);
  const path = makeFile(o.dir, 'cold', bytes);
  const blocks = offsets(1 << 20, bytes / BLOCK, 0xc01d);
  const delays = new Map<string, Delay[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds(o); round++) {
    for (const name of names) {
      progress.step(`${name}, cold cache`);
      if (!dropCaches(path)) {
        return [{
          workload: 'event-loop stall, cold-cache buffered reads (skipped: /proc/sys/vm/drop_caches needs root)',
          unit: 'ms', ratio: NaN, target: 'figure', met: true,
          ours: { name: names[0], value: NaN }, versus: { name: '', value: NaN },
        }];
      }
      delays.get(name)!.push(await once(name, path, RUN_MS(o), blocks));
    }
  }
  const rows: Row[] = [];
  for (const stat of ['max', 'p99'] as const) {
    const value = (name: string) => median(delays.get(name)!.map((d) => d[stat]));
    for (const versus of [names[1], names[2]]) {
      rows.push({
        workload: `event-loop stall (${stat} delay), cold-cache buffered reads, ${DEPTH} in flight`,
        unit: `ms ${stat}`, ratio: value(names[0]) / value(versus), target: 'figure', met: true,
        ours: { name: names[0], value: value(names[0]) }, versus: { name: versus, value: value(versus) },
      });
    }
  }
  return rows;
}
