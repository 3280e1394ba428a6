// Millions of reads in a loop: RSS growth once warm, which would show any
// allocation per request that is never given back. Runs in a child process
// of its own (with --expose-gc), so the other workloads' heaps do not count.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { AioContext } from '../lib/index.js';
import { BLOCK, DEPTH, type Options, type Progress, type Row, makeFile, warm } from './support.js';

const READS = (o: Options) => (o.quick ? 1_000_000 : 5_000_000);
const WARMUP = 200_000;
const SELF = fileURLToPath(import.meta.url);
export const steps = () => 1;

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
  process.stdout.write(JSON.stringify({ rss: end.rss - warm.rss, heapTotal: end.heapTotal - warm.heapTotal, heapUsed: end.heapUsed - warm.heapUsed }));
  await ctx.close();
  closeSync(fd);
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'memory', 16 << 20);
  warm(path);
  progress.step(`${READS(o).toLocaleString('en-US')} reads through AioContext`);
  const out = execFileSync(process.execPath, ['--expose-gc', SELF, '--child', path, String(READS(o))], { encoding: 'utf8' });
  const mib = (n: number) => n / (1 << 20);
  const growth = JSON.parse(out) as { rss: number; heapTotal: number; heapUsed: number };
  const workload = `${READS(o).toLocaleString('en-US')} reads in a loop (from read ${WARMUP.toLocaleString('en-US')} to the end)`;
  // V8 grows its young generation under a high allocation rate (heapTotal):
  // that is RSS too, but not memory the library keeps. Both are shown.
  const outside = mib(growth.rss - growth.heapTotal);
  return [{
    workload, unit: 'MiB RSS growth', ratio: NaN, target: '<= 8 MiB', met: mib(growth.rss) <= 8,
    ours: { name: 'AioContext.read', value: mib(growth.rss) }, versus: { name: '', value: NaN },
  }, {
    workload, unit: 'MiB growth', ratio: NaN, target: '<= 8 MiB', met: outside <= 8,
    ours: { name: 'RSS outside the V8 heap', value: outside },
    versus: { name: `V8 heap reserved ${mib(growth.heapTotal).toFixed(1)} MiB, used`, value: mib(growth.heapUsed) },
  }];
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
