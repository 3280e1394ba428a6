import { expect } from 'chai';
import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { AioContext, constants } from '../lib/index.js';
import { Fds, O_RDONLY, makePipe, patternBytes, scratchDir, writeFile } from './support/helpers.js';

// The performance design, held by counters rather than by times: one
// io_submit per loop turn; what io_submit completes settles as it returns,
// and what completes later crosses into JavaScript once per burst.
describe('batching (performance design)', () => {
  const scratch = scratchDir();
  const content = patternBytes(64 * 4096, 31);
  const path = writeFile(join(scratch.dir, 'data'), content);
  let fds: Fds;
  let ctx: AioContext;
  let fd: number;
  beforeEach(() => {
    readFileSync(path); // cached: each read completes inside io_submit
    fds = new Fds();
    ctx = new AioContext({ maxEvents: 64 });
    fd = fds.open(path, O_RDONLY);
  });
  afterEach(async () => {
    await ctx.close();
    fds.closeAll();
  });
  after(() => scratch.cleanup());

  it('64 cached reads created in one tick cost one io_submit, and settle as it returns: no wakeup, no callback', async () => {
    const before = ctx.stats();
    const bufs = Array.from({ length: 64 }, () => Buffer.alloc(4096));
    const done = await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 4096)));
    const after = ctx.stats();
    expect(done.every((c, i) => c.res === 4096 && bufs[i].equals(content.subarray(i * 4096, (i + 1) * 4096)))).to.equal(true);
    expect(after.submitSyscalls - before.submitSyscalls, 'io_submit calls').to.equal(1);
    expect(after.batches - before.batches, 'batches').to.equal(1);
    expect(after.submitReaps - before.submitReaps, 'reaps right after io_submit').to.equal(1);
    expect(after.callbacks - before.callbacks, 'crossings into JavaScript').to.equal(0);
    expect(after.wakeups - before.wakeups, 'eventfd wakeups').to.equal(0);
    expect(after.reapSyscalls - before.reapSyscalls, 'io_getevents calls').to.equal(0);
  });

  it('what completes after io_submit returns (a poll) comes through the eventfd: one wakeup, one callback', async () => {
    const [r, w] = makePipe(scratch.dir, fds);
    const before = ctx.stats();
    const ready = ctx.poll(r, constants.POLLIN);
    await new Promise((resolve) => setImmediate(resolve)); // submitted, not complete
    const submitted = ctx.stats();
    expect(submitted.submitReaps - before.submitReaps, 'nothing to reap as io_submit returned').to.equal(0);
    writeSync(w, 'x');
    expect((await ready).res & constants.POLLIN).to.not.equal(0);
    const after = ctx.stats();
    expect(after.wakeups - before.wakeups, 'eventfd wakeups').to.equal(1);
    expect(after.callbacks - before.callbacks, 'crossings into JavaScript').to.equal(1);
  });

  // 40: more than the 32 a reap after io_submit might otherwise take at once.
  for (const count of [20, 40]) it(`${count} completions that arrive together cross into JavaScript 8 at a time, and what the first 8 ask for reaches the kernel before the rest settle`, async () => {
    const [r, w] = makePipe(scratch.dir, fds);
    const polls = Array.from({ length: count }, () => ctx.poll(r, constants.POLLIN));
    await new Promise((resolve) => setImmediate(resolve)); // all in the kernel
    const before = ctx.stats();
    // In each poll's continuation: which crossing settled it (an eventfd
    // callback or a reap after io_submit), and how many requests the kernel
    // has had by then; then a refill (a cached read).
    const seen: { crossing: number; submitted: number }[] = [];
    const refills: Promise<number>[] = [];
    const settled = polls.map((p, i) => p.then((c) => {
      const s = ctx.stats();
      seen.push({ crossing: s.callbacks + s.submitReaps, submitted: s.submitted - before.submitted });
      refills.push(ctx.read(fd, Buffer.alloc(4096), (i % 64) * 4096).then((read) => read.res));
      return c.res;
    }));
    writeSync(w, 'x'); // all complete at once
    expect((await Promise.all(settled)).every((res) => (res & constants.POLLIN) !== 0)).to.equal(true);
    expect(await Promise.all(refills)).to.deep.equal(new Array(count).fill(4096));
    const after = ctx.stats();
    expect(after.completed - before.completed).to.equal(2 * count);
    const perCrossing = new Map<number, number>();
    for (const { crossing } of seen) perCrossing.set(crossing, (perCrossing.get(crossing) ?? 0) + 1);
    expect(Math.max(...perCrossing.values()), 'completions settled by one crossing').to.be.at.most(8);
    // The first chunk's refills were in the kernel before the last poll settled.
    expect(seen[seen.length - 1].submitted, 'requests submitted when the last poll settled').to.be.at.least(8);
  });

  it('requests made by separate callbacks of one loop turn share one io_submit', async () => {
    const before = ctx.stats();
    // Like 16 sockets readable at once: each callback is its own macrotask,
    // with a microtask checkpoint after it.
    const done = await Promise.all(Array.from({ length: 16 }, (_, i) => new Promise<number>((resolve) => {
      setImmediate(async () => resolve((await ctx.read(fd, Buffer.alloc(4096), i * 4096)).res));
    })));
    const after = ctx.stats();
    expect(done).to.deep.equal(new Array(16).fill(4096));
    expect(after.submitSyscalls - before.submitSyscalls, 'io_submit calls').to.equal(1);
    expect(after.batches - before.batches, 'batches').to.equal(1);
  });

  it('requests made in later ticks go in later batches', async () => {
    const before = ctx.stats();
    for (let tick = 0; tick < 3; tick++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.read(fd, Buffer.alloc(512), i * 512)));
    }
    const after = ctx.stats();
    expect(after.batches - before.batches).to.equal(3);
    expect(after.submitted - before.submitted).to.equal(24);
  });
});
