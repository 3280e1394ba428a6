// Contexts that are never closed: what collecting 200 of them costs the
// event loop, and how long a process holding 200 of them takes to exit
// (each io_destroy waits for an RCU grace period, tens of ms on a VM, so
// done one after another on the loop they would take seconds). Each
// measurement runs in a child process of its own.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { aioRingsHeld } from './aio-rings.js';
import { AioContext } from '../lib/index.js';
import { type Options, type Progress, type Row, makeFile, median } from './support.js';

const CONTEXTS = 200;
const SELF = fileURLToPath(import.meta.url);
const rounds = (o: Options) => (o.quick ? 1 : 3);
export const steps = (o: Options) => 3 * rounds(o);

/** `count` contexts, each used for one read, so each has touched the kernel. */
async function usedContexts(path: string, count: number): Promise<AioContext[]> {
  const fd = openSync(path, 'r');
  const contexts = Array.from({ length: count }, () => new AioContext({ maxEvents: 4 }));
  await Promise.all(contexts.map((c, i) => c.read(fd, Buffer.alloc(512), i * 512)));
  closeSync(fd);
  return contexts;
}

/** In the child: drops CONTEXTS used contexts, collects them; prints the longest stall and the time until all are destroyed (ms). */
async function collectChild(path: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const before = aioRingsHeld();
  await usedContexts(path, CONTEXTS);
  // The loop is stalled inside gc() or between turns (Node runs finalizers
  // later, from the loop): the longest of either is the stall.
  let stall = 0;
  const start = performance.now();
  // A context the last await still referenced needs a second collection.
  for (let i = 0; aioRingsHeld() > before; i++) {
    if (i % 10 === 0) {
      const t = performance.now();
      gc();
      stall = Math.max(stall, performance.now() - t);
    }
    const t = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1));
    stall = Math.max(stall, performance.now() - t);
  }
  const destroyedMs = performance.now() - start;
  process.stdout.write(JSON.stringify({ stallMs: stall, destroyedMs }));
}

/** In the child: holds `count` used contexts and lets the process end; prints when its last line ran (epoch ms). */
async function exitChild(path: string, count: number): Promise<void> {
  (globalThis as { held?: unknown }).held = await usedContexts(path, count);
  process.stdout.write(String(performance.timeOrigin + performance.now()));
}

function collect(path: string): { stallMs: number; destroyedMs: number } {
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', SELF, '--collect', path], { encoding: 'utf8' }));
}

/** Milliseconds from the child's last line to its exit, as the parent sees it. */
function exitTime(path: string, count: number): number {
  const lastLine = Number(execFileSync(process.execPath, [SELF, '--exit', path, String(count)], { encoding: 'utf8' }));
  return Date.now() - lastLine;
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const path = makeFile(o.dir, 'teardown', CONTEXTS * 512);
  const stalls: number[] = [];
  const destroyed: number[] = [];
  const exits: number[] = [];
  const bareExits: number[] = [];
  for (let round = 0; round < rounds(o); round++) {
    progress.step(`${CONTEXTS} unclosed contexts collected`);
    const c = collect(path);
    stalls.push(c.stallMs);
    destroyed.push(c.destroyedMs);
    progress.step(`exit with ${CONTEXTS} contexts open`);
    exits.push(exitTime(path, CONTEXTS));
    progress.step('exit with no context');
    bareExits.push(exitTime(path, 0));
  }
  const stall = median(stalls);
  const exit = median(exits);
  return [{
    workload: `${CONTEXTS} unclosed contexts garbage-collected`, unit: 'ms', ratio: NaN,
    target: '<= 50 ms', met: stall <= 50,
    ours: { name: 'longest event-loop stall', value: stall },
    versus: { name: 'until all destroyed (off the loop)', value: median(destroyed) },
  }, {
    workload: `exit of a process holding ${CONTEXTS} open contexts`, unit: 'ms', ratio: NaN,
    target: '< 500 ms', met: exit < 500,
    ours: { name: 'last line to exit', value: exit },
    versus: { name: 'with no context', value: median(bareExits) },
  }];
}

if (process.argv[2] === '--collect') await collectChild(process.argv[3]);
if (process.argv[2] === '--exit') await exitChild(process.argv[3], Number(process.argv[4]));
