import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync, readSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { AioContext, allocAligned, constants, type AioRequest, type Completion } from '../lib/index.js';
import { Fds, O_DIRECT, O_RDWR, makePipe, patternBytes, scratchDir, writeFile } from './support/helpers.js';

const { POLLIN } = constants;
const { ECANCELED } = osConstants.errno;

// Model-based fuzzing of AioContext: random programs of reads, writes,
// readv/writev, fsync/fdsync, polls on a pipe, cancels, aborts, closes and
// awaits, on a buffered and an O_DIRECT file, over two contexts (one small
// enough that requests queue), checked against a model after every program:
// - every request settles exactly once, and its context's completions()
//   stream sees it exactly once;
// - `cancelled` agrees with `res` (Cancellation says who won): a cancelled request has no
//   result, any other one has its full result;
// - reads return what the model says the file holds, and the files end
//   equal to the model (node:fs reads them back);
// - inFlight and queued are back to 0.
// Programs only overlap operations on different blocks, so the model is
// exact whatever order the kernel completes them in.
// FUZZ_RUNS and FUZZ_SEED replay or extend a run; a failure prints its seed
// and the shrunk program.
//
// Programs share the contexts, the files and the model, so one program must
// be over before the next starts, and must leave them sound: after a failing
// program its requests are settled, both contexts replaced and the model
// read back from the files, so shrinking replays each candidate on its own.
// There is no time limit per program (a slow machine is no failure); a
// program that makes no progress for HANG_MS is reported as a hang, with
// what it waits for, and nothing runs after it (a hung program never ends,
// so a later one would share its contexts).

const BLOCK = 4096;
const BLOCKS = 16;
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
// No step ended and no request settled for this long: a hang, not slowness.
const HANG_MS = 30000;
// io_setup says EAGAIN while other processes hold every AIO event of the
// machine (fs.aio-max-nr): a new context waits this long for them.
const SETUP_WAIT_MS = 60000;

type FileId = 0 | 1; // buffered, O_DIRECT
type Step =
  | { k: 'read' | 'write'; ctx: number; file: FileId; block: number; count: number; vector: boolean; abortable: boolean; fill: number }
  | { k: 'sync'; ctx: number; file: FileId; data: boolean }
  | { k: 'poll'; ctx: number }
  | { k: 'pipeWrite' }
  | { k: 'cancel' | 'abort' | 'await'; pick: number }
  | { k: 'tick' }
  | { k: 'close'; ctx: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    k: fc.constantFrom('read' as const, 'write' as const), ctx: fc.nat(1), file: fc.constantFrom(0 as const, 1 as const),
    block: fc.nat(BLOCKS - 1), count: fc.integer({ min: 1, max: 3 }), vector: fc.boolean(), abortable: fc.boolean(),
    fill: fc.nat(255),
  }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('sync' as const), ctx: fc.nat(1), file: fc.constantFrom(0 as const, 1 as const), data: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('poll' as const), ctx: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('pipeWrite' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('cancel' as const, 'abort' as const, 'await' as const), pick: fc.nat(63) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), ctx: fc.nat(1) }) },
);

interface Tracked {
  request: AioRequest;
  ctx: number;
  kind: 'read' | 'write' | 'sync' | 'poll';
  file: FileId;
  blocks: number[];
  /** Reads: what the model held when the read was made. Writes: what they write. */
  bytes: Buffer | null;
  views: Buffer[];
  controller: AbortController | null;
  settled: number;
  completion: Completion | null;
}

/** The harness cannot go on: a program hung, or no context could be made. */
class HarnessStop extends Error {
  constructor(message: string, readonly hung: boolean, options?: ErrorOptions) {
    super(message, options);
  }
}

describe('model-based fuzzing (fast-check)', function () {
  // Only a backstop: a hang is reported after HANG_MS without progress.
  this.timeout(600000);
  const scratch = scratchDir();
  const fds = new Fds();
  const paths = [join(scratch.dir, 'buffered'), join(scratch.dir, 'direct')];
  const model = paths.map((p, i) => {
    const content = patternBytes(BLOCKS * BLOCK, 40 + i);
    writeFile(p, content);
    return Buffer.from(content);
  });
  const fileFds = [fds.open(paths[0], O_RDWR), fds.open(paths[1], O_RDWR | O_DIRECT)];
  const [pipeRead, pipeWrite] = makePipe(scratch.dir, fds);
  const sizes = [64, 8]; // the second makes requests wait in the user-space queue
  let contexts: AioContext[] = [];
  const seen = new Map<AioRequest, number>();
  const streams: Promise<void>[] = [];
  let lastProgress = performance.now();
  let stopped: HarnessStop | undefined;

  const progress = () => { lastProgress = performance.now(); };

  async function open(i: number): Promise<AioContext> {
    const deadline = performance.now() + SETUP_WAIT_MS;
    for (;;) {
      try {
        const ctx = new AioContext({ maxEvents: sizes[i] });
        streams.push((async () => {
          for await (const c of ctx.completions()) seen.set(c.request, (seen.get(c.request) ?? 0) + 1);
        })());
        return ctx;
      } catch (error) {
        const e = error as Error & { code?: string; cause?: { code?: string } };
        if (e.code === 'ERR_AIO_UNAVAILABLE' && e.cause?.code === 'EAGAIN' && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        throw (stopped = new HarnessStop(`cannot create context ${i} (fs.aio-nr ${readFileSync('/proc/sys/fs/aio-nr', 'utf8').trim()} on the machine): ${e.message}`, false, { cause: e }));
      }
    }
  }

  const describeContexts = () => contexts.map((c, i) =>
    `context ${i} (maxEvents ${sizes[i]}): inFlight ${c.inFlight}, queued ${c.queued}${c.closed ? ', closed' : ''}`).join('; ');

  /**
   * `promise`, or a HarnessStop once nothing has progressed for HANG_MS
   * while waiting for it: `what` and `unsettled` say what was waited for.
   */
  function guard<T>(promise: Promise<T>, what: string, unsettled: () => Tracked[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const watchdog = setInterval(() => {
        if (performance.now() - lastProgress < HANG_MS) return;
        clearInterval(watchdog);
        const waiting = unsettled().map((t) =>
          `${t.kind} on context ${t.ctx}${t.blocks.length > 0 ? ` (file ${t.file}, blocks ${t.blocks.join(',')})` : ''}`);
        reject(stopped = new HarnessStop(`hung: nothing progressed for ${HANG_MS / 1000} s while waiting for ${what}; ` +
          `unsettled: ${waiting.join(', ') || 'none'}; ${describeContexts()}`, true));
      }, 1000);
      promise.then(
        (value) => { clearInterval(watchdog); resolve(value); },
        (error) => { clearInterval(watchdog); reject(error); });
    });
  }

  before(async () => { contexts = [await open(0), await open(1)]; });
  after(async () => {
    // A hung context would never close.
    if (!stopped?.hung) {
      await Promise.all(contexts.map((c) => c.close()));
      await Promise.all(streams);
    }
    fds.closeAll();
    scratch.cleanup();
  });

  const buffer = (file: FileId, size: number) => (file === 1 ? allocAligned(size) : Buffer.alloc(size));

  async function runProgram(program: Step[]): Promise<void> {
    // After a hang, nothing may run beside the hung program: shrinking skips
    // every candidate, so the report is the program that hung.
    fc.pre(stopped === undefined);
    progress();
    const tracked: Tracked[] = [];
    let passed = false;
    try {
      await steps(program, tracked);
      passed = true;
    } finally {
      if (stopped === undefined) await restore(tracked, passed);
    }
  }

  /** Settles what a program left, and after a failure starts afresh: new contexts, the model read back from the files. */
  async function restore(tracked: Tracked[], passed: boolean): Promise<void> {
    if (passed) return;
    const unsettled = () => tracked.filter((t) => t.completion === null);
    writeSync(pipeWrite, 'x'); // wake every poll still waiting
    await guard(Promise.all(tracked.map((t) => t.request)), 'the requests of a failed program', unsettled);
    await guard(Promise.all(contexts.map((c) => c.close())), 'close() after a failed program', unsettled);
    contexts = [await open(0), await open(1)];
    const drain = Buffer.alloc(4096);
    try { while (readSync(pipeRead, drain) > 0); } catch { /* EAGAIN: empty */ }
    for (const f of [0, 1] as const) readFileSync(paths[f]).copy(model[f]);
  }

  async function steps(program: Step[], tracked: Tracked[]): Promise<void> {
    const busy = [new Set<number>(), new Set<number>()]; // blocks with an operation in flight, per file
    const pending = () => tracked.filter((t) => t.completion === null);

    const track = (t: Omit<Tracked, 'settled' | 'completion'>) => {
      const entry: Tracked = { ...t, settled: 0, completion: null };
      tracked.push(entry);
      for (const b of t.blocks) busy[t.file].add(b);
      void t.request.then((c) => {
        progress();
        entry.settled++;
        entry.completion = c;
        for (const b of t.blocks) busy[t.file].delete(b);
        if (t.kind === 'write' && c.res === t.bytes!.length) {
          t.bytes!.copy(model[t.file], t.blocks[0] * BLOCK);
        }
      });
    };

    for (const step of program) {
      switch (step.k) {
        case 'read':
        case 'write': {
          const count = Math.min(step.count, BLOCKS - step.block);
          const blocks = Array.from({ length: count }, (_, i) => step.block + i);
          if (blocks.some((b) => busy[step.file].has(b))) break; // keep the model exact
          const ctx = contexts[step.ctx];
          const controller = step.abortable ? new AbortController() : null;
          const options = controller ? { signal: controller.signal } : undefined;
          const position = step.block * BLOCK;
          const views = step.vector
            ? blocks.map(() => buffer(step.file, BLOCK))
            : [buffer(step.file, count * BLOCK)];
          let bytes: Buffer;
          if (step.k === 'write') {
            bytes = Buffer.alloc(count * BLOCK, step.fill);
            let at = 0;
            for (const v of views) at += bytes.copy(v, 0, at);
          } else {
            bytes = Buffer.from(model[step.file].subarray(position, position + count * BLOCK));
          }
          const fd = fileFds[step.file];
          const request = step.k === 'read'
            ? (step.vector ? ctx.readv(fd, views, position, options) : ctx.read(fd, views[0], position, options))
            : (step.vector ? ctx.writev(fd, views, position, options) : ctx.write(fd, views[0], position, options));
          track({ request, ctx: step.ctx, kind: step.k, file: step.file, blocks, bytes, views, controller });
          break;
        }
        case 'sync': {
          const ctx = contexts[step.ctx];
          const fd = fileFds[step.file];
          track({ request: step.data ? ctx.fdsync(fd) : ctx.fsync(fd), ctx: step.ctx, kind: 'sync', file: step.file, blocks: [], bytes: null, views: [], controller: null });
          break;
        }
        case 'poll':
          track({ request: contexts[step.ctx].poll(pipeRead, POLLIN), ctx: step.ctx, kind: 'poll', file: 0, blocks: [], bytes: null, views: [], controller: null });
          break;
        case 'pipeWrite':
          writeSync(pipeWrite, 'x');
          break;
        case 'cancel':
        case 'abort':
        case 'await': {
          const unsettled = pending();
          if (unsettled.length === 0) break;
          const t = unsettled[step.pick % unsettled.length];
          if (step.k === 'cancel') void t.request.cancel();
          else if (step.k === 'abort') t.controller?.abort();
          else {
            if (t.kind === 'poll') writeSync(pipeWrite, 'x'); // or it would wait for ever
            await guard(t.request, `an awaited ${t.kind} on context ${t.ctx}`, pending);
          }
          break;
        }
        case 'tick':
          await new Promise((resolve) => setImmediate(resolve));
          break;
        case 'close': {
          const old = contexts[step.ctx];
          await guard(old.close(), `close() of context ${step.ctx}`, pending);
          expect(old.inFlight + old.queued, 'a closed context still holds requests').to.equal(0);
          contexts[step.ctx] = await open(step.ctx);
          break;
        }
      }
      progress();
    }

    // Wake every poll still waiting, then let everything settle.
    writeSync(pipeWrite, 'x');
    await guard(Promise.all(tracked.map((t) => t.request)), 'the requests of the program', pending);
    await new Promise((resolve) => setImmediate(resolve));
    const drain = Buffer.alloc(4096);
    try { while (readSync(pipeRead, drain) > 0); } catch { /* EAGAIN: empty */ }

    for (const t of tracked) {
      const c = t.completion!;
      expect(t.settled, 'settles exactly once').to.equal(1);
      expect(seen.get(t.request), 'seen once by completions()').to.equal(1);
      expect(c.request).to.equal(t.request);
      if (t.kind === 'poll') {
        // Cancellation says who won, for polls: cancelled iff no event.
        if (c.cancelled) expect(c.res === 0 || c.res === -ECANCELED, `cancelled poll res ${c.res}`).to.equal(true);
        else expect(c.res & POLLIN, `poll res ${c.res}`).to.equal(POLLIN);
        continue;
      }
      if (c.cancelled) {
        expect(c.res, 'a cancelled request has no result').to.be.lessThan(0);
        continue;
      }
      if (t.kind === 'sync') {
        expect(c.res).to.equal(0);
        continue;
      }
      expect(c.res, `${t.kind} of ${t.bytes!.length} bytes: ${c.error?.message}`).to.equal(t.bytes!.length);
      if (t.kind === 'read') expect(Buffer.concat(t.views).equals(t.bytes!), 'read returns the model').to.equal(true);
    }
    for (const ctx of contexts) {
      expect(ctx.inFlight, 'inFlight back to 0').to.equal(0);
      expect(ctx.queued, 'queued back to 0').to.equal(0);
    }
    for (const f of [0, 1] as const) {
      expect(readFileSync(paths[f]).equals(model[f]), `file ${f} equals the model`).to.equal(true);
    }
  }

  it(`${RUNS} random programs over two contexts, a buffered and an O_DIRECT file, and a pipe`, async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), runProgram),
      // No `timeout`: fast-check would go on to the next program while the
      // timed-out one still runs on the same contexts (see guard).
      { numRuns: RUNS, seed: SEED });
  });
});
