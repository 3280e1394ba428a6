// npm run soak [-- --requests N] [-- --cycles N] [-- --json]
//
// A leak soak: millions of requests (cached reads, polls that are cancelled,
// reads whose AbortSignal fires) spread over many contexts that are opened
// and closed in turn, then RSS, external memory, open fds and
// the kernel AIO contexts this process holds at the start (after one
// warm-up cycle) and at the end. test/soak.test.ts runs a
// short one and asserts on it.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { aioRingsHeld } from './aio-rings.js';
import { AioContext, constants } from '../lib/index.js';

export interface SoakOptions { requests: number; cycles: number }
export interface Snapshot { rss: number; heapTotal: number; external: number; fds: number; aioRings: number }
export interface SoakResult { requests: number; cycles: number; cancelled: number; start: Snapshot; end: Snapshot }

const BLOCK = 4096;
const DEPTH = 32;

function snapshot(): Snapshot {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return {
    rss: m.rss, heapTotal: m.heapTotal, external: m.external,
    fds: readdirSync('/proc/self/fd').length,
    aioRings: aioRingsHeld(),
  };
}

/** One context's share of the requests, then close. */
async function cycle(fd: number, pipeFd: number, requests: number, blocks: number): Promise<number> {
  const ctx = new AioContext({ maxEvents: DEPTH });
  let next = 0;
  let cancelled = 0;
  const lane = async (id: number) => {
    const buf = Buffer.alloc(BLOCK);
    while (next < requests) {
      const i = next++;
      if (i % 16 === 0) {
        // A poll on an idle pipe: only a cancel ends it.
        const poll = ctx.poll(pipeFd, constants.POLLIN);
        if ((await ctx.cancel(poll)).cancelled) cancelled++;
      } else if (i % 16 === 1) {
        const abort = new AbortController();
        const read = ctx.read(fd, buf, (i % blocks) * BLOCK, { signal: abort.signal });
        abort.abort();
        if ((await read).cancelled) cancelled++;
      } else {
        const c = await ctx.read(fd, buf, ((i + id) % blocks) * BLOCK);
        if (c.res !== BLOCK) throw new Error(`read: ${c.res}`);
      }
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, (_, id) => lane(id)));
  await ctx.close();
  return cancelled;
}

export async function soak(o: SoakOptions, progress?: (done: number) => void): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'linux-aio-soak-'));
  try {
    const path = join(dir, 'data');
    const blocks = 256;
    writeFileSync(path, Buffer.alloc(blocks * BLOCK, 7));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const perCycle = Math.ceil(o.requests / o.cycles);
    // One cycle first, so the start is taken with the code compiled and the
    // heap at its working size: what grows after it is what is kept.
    const warmFd = openSync(path, 'r');
    const warmPipe = openSync(fifo, 'r+');
    await cycle(warmFd, warmPipe, perCycle, blocks);
    closeSync(warmFd);
    closeSync(warmPipe);
    const start = snapshot();
    const fd = openSync(path, 'r');
    const pipeFd = openSync(fifo, 'r+');
    let cancelled = 0;
    for (let c = 0; c < o.cycles; c++) {
      cancelled += await cycle(fd, pipeFd, perCycle, blocks);
      progress?.((c + 1) * perCycle);
    }
    closeSync(fd);
    closeSync(pipeFd);
    return { requests: perCycle * o.cycles, cycles: o.cycles, cancelled, start, end: snapshot() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(argv: string[]): SoakOptions & { json: boolean } {
  const o = { requests: 2_000_000, cycles: 200, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if ((a === '--requests' || a === '--cycles') && i + 1 < argv.length && Number(argv[i + 1]) > 0) {
      o[a === '--requests' ? 'requests' : 'cycles'] = Math.floor(Number(argv[++i]));
    } else {
      process.stderr.write(`linux-aio soak: bad argument '${a}'\nusage: npm run soak -- [--requests N] [--cycles N] [--json]\n`);
      process.exit(2);
    }
  }
  return o;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const o = parse(process.argv.slice(2));
  const tty = !o.json && process.stderr.isTTY === true;
  const r = await soak(o, (done) => {
    if (tty) process.stderr.write(`\r${Math.min(done, o.requests).toLocaleString('en-US')} / ${o.requests.toLocaleString('en-US')} requests`);
  });
  if (tty) process.stderr.write('\n');
  if (o.json) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;
    console.log(`${r.requests.toLocaleString('en-US')} requests (${r.cancelled.toLocaleString('en-US')} cancelled) over ${r.cycles} contexts opened and closed\n`);
    console.log('| | start | end |\n|---|---:|---:|');
    console.log(`| RSS | ${mib(r.start.rss)} | ${mib(r.end.rss)} |`);
    console.log(`| of which the V8 heap (its young generation grows with the allocation rate) | ${mib(r.start.heapTotal)} | ${mib(r.end.heapTotal)} |`);
    console.log(`| external memory | ${mib(r.start.external)} | ${mib(r.end.external)} |`);
    console.log(`| open fds | ${r.start.fds} | ${r.end.fds} |`);
    console.log(`| kernel AIO contexts this process holds | ${r.start.aioRings} | ${r.end.aioRings} |`);
  }
}
