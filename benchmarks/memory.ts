// Millions of reads in a loop: RSS growth once warm, which would show any
// allocation per request that is never given back. Runs in a child process
// of its own (with --expose-gc), so the other workloads' heaps do not count.
//
// Under a high allocation rate V8 grows its young generation step by step,
// up to 2 x 16 MiB of semi-spaces, at whatever point of the run its
// heuristics decide: that is RSS, but not memory the library keeps. The
// target row runs with the young generation at its full size from the start
// (--min-semi-space-size=16, the default maximum), so what grows is what is
// kept; a second run with V8's defaults is shown beside it.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { AioContext } from '../lib/index.js';
import { BLOCK, DEPTH, type Options, type Progress, type Row, makeFile, warm } from './support.js';

const READS = (o: Options) => (o.quick ? 1_000_000 : 5_000_000);
const WARMUP = 200_000;
const SELF = fileURLToPath(import.meta.url);
export const steps = () => 2;

/** In the child: `reads` reads of `path`; prints the growth (bytes) of RSS and of V8's heap after WARMUP reads. */
async function child(path: string, reads: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const blocks = (16 << 20) / BLOCK;
  const ctx = new AioContext({ maxEvents: DEPTH });
  const fd = openSync(path, 'r');
  let next = 0;
  let warm = process.memoryUsage();
  const lane = async () => {
    const buf = Buffer.alloc(BLOCK);
    while (next < reads) {
      const i = next++;
      if (i === WARMUP) {
        gc();
        warm = process.memoryUsage();
      }
      const c = await ctx.read(fd, buf, (i % blocks) * BLOCK);
      if (c.res !== BLOCK) throw new Error(`read: ${c.res}`);
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, lane));
  gc();
  const end = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: end.rss - warm.rss, heapTotal: end.heapTotal - warm.heapTotal }));
  await ctx.close();
  closeSync(fd);
}

interface Growth { rss: number; heapTotal: number }

function measureChild(path: string, reads: number, v8Flags: string[]): Growth {
  const out = execFileSync(process.execPath, ['--expose-gc', ...v8Flags, SELF, '--child', path, String(reads)],
    { encoding: 'utf8' });
  return JSON.parse(out) as Growth;
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'memory', 16 << 20);
  warm(path);
  const reads = READS(o).toLocaleString('en-US');
  progress.step(`${reads} reads through AioContext, young generation at full size`);
  const full = measureChild(path, READS(o), ['--min-semi-space-size=16']);
  progress.step(`${reads} reads through AioContext, V8 defaults`);
  const defaults = measureChild(path, READS(o), []);
  const mib = (n: number) => n / (1 << 20);
  const workload = `${reads} reads in a loop (from read ${WARMUP.toLocaleString('en-US')} to the end)`;
  return [{
    workload, unit: 'MiB RSS growth', ratio: NaN, target: '<= 8 MiB', met: mib(full.rss) <= 8,
    ours: { name: 'AioContext.read, young generation sized up front', value: mib(full.rss) },
    versus: { name: '', value: NaN },
  }, {
    workload, unit: 'MiB RSS growth', ratio: NaN, target: 'figure', met: true,
    ours: { name: 'AioContext.read, V8 defaults', value: mib(defaults.rss) },
    versus: { name: 'of which the V8 heap', value: mib(defaults.heapTotal) },
  }];
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
