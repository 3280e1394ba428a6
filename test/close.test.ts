import { expect } from 'chai';
import { writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { AioContext, allocAligned, constants, type Completion } from '../lib/index.js';
import { aioRingsHeld, Fds, makePipe, O_DIRECT, O_RDONLY, patternBytes, scratchDir, tick, writeFile } from './support/helpers.js';

const { POLLIN } = constants;
const { ECANCELED } = osConstants.errno;

describe('close: closing waits for every request', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  const content = patternBytes(65536, 5);
  const path = writeFile(join(scratch.dir, 'data'), content);
  afterEach(() => fds.closeAll());
  after(() => scratch.cleanup());

  it('cancels pending polls, lets reads finish, hands buffers back, then io_destroy', async () => {
    const baseline = aioRingsHeld();
    const ctx = new AioContext({ maxEvents: 32 });
    expect(aioRingsHeld()).to.equal(baseline + 1);
    // O_DIRECT: the reads are still in the kernel at close() (cached ones
    // would be done as io_submit returns).
    const fd = fds.open(path, O_RDONLY | O_DIRECT);
    const polls = Array.from({ length: 5 }, (_, i) => ctx.poll(makePipe(scratch.dir, fds, `close-${i}`)[0], POLLIN));
    const bufs = Array.from({ length: 8 }, () => allocAligned(4096));
    const reads = bufs.map((b, i) => ctx.read(fd, b, i * 4096));
    await tick(); // submitted
    expect(ctx.stats().submitted).to.equal(13);
    expect(ctx.inFlight, 'the polls, and the reads the disk has not answered').to.be.at.least(5);
    await ctx.close();
    expect(ctx.closed).to.equal(true);
    expect(ctx.inFlight).to.equal(0);
    const pollDone = await Promise.all(polls);
    expect(pollDone.every((c) => c.cancelled && c.res === 0)).to.equal(true);
    const readDone = await Promise.all(reads);
    readDone.forEach((c, i) => {
      expect(c.cancelled).to.equal(false);
      expect(c.res).to.equal(4096);
      expect(bufs[i].equals(content.subarray(i * 4096, (i + 1) * 4096))).to.equal(true);
    });
    expect(aioRingsHeld()).to.equal(baseline);
  });

  it('requests still queued in user space settle cancelled with -ECANCELED', async () => {
    const ctx = new AioContext({ maxEvents: 2 });
    const fd = fds.open(path, O_RDONLY);
    const reqs = Array.from({ length: 6 }, (_, i) => ctx.read(fd, Buffer.alloc(16), i * 16));
    await tick(); // submitted
    expect(ctx.queued).to.equal(4);
    await ctx.close();
    const done = await Promise.all(reqs);
    expect(done.slice(0, 2).map((c) => c.res)).to.deep.equal([16, 16]);
    expect(done.slice(2).every((c) => c.cancelled && c.res === -ECANCELED)).to.equal(true);
    expect(ctx.queued).to.equal(0);
  });

  it('is idempotent and use after close throws ERR_AIO_CLOSED', async () => {
    const ctx = new AioContext({ maxEvents: 4 });
    const first = ctx.close();
    expect(ctx.close()).to.equal(first);
    await first;
    await ctx.close();
    const fd = fds.open(path, O_RDONLY);
    const uses: [string, () => unknown][] = [
      ['read', () => ctx.read(fd, Buffer.alloc(1), 0)],
      ['write', () => ctx.write(fd, Buffer.alloc(1), 0)],
      ['readv', () => ctx.readv(fd, [Buffer.alloc(1)], 0)],
      ['writev', () => ctx.writev(fd, [Buffer.alloc(1)], 0)],
      ['fsync', () => ctx.fsync(fd)],
      ['fdsync', () => ctx.fdsync(fd)],
      ['poll', () => ctx.poll(fd, POLLIN)],
      ['submit', () => ctx.submit([{ op: 'fsync', fd }])],
      ['completions', () => ctx.completions()],
    ];
    for (const [name, use] of uses) {
      expect(use, name).to.throw(Error).with.property('code', 'ERR_AIO_CLOSED');
    }
  });

  it('await using closes the context at the end of the block', async () => {
    const baseline = aioRingsHeld();
    let escaped: AioContext | undefined;
    {
      await using ctx = new AioContext({ maxEvents: 8 });
      escaped = ctx;
      expect((await ctx.read(fds.open(path, O_RDONLY), Buffer.alloc(4), 0)).res).to.equal(4);
    }
    expect(escaped.closed).to.equal(true);
    expect(aioRingsHeld()).to.equal(baseline);
  });

  it('cancelAll cancels queued and in-flight requests', async () => {
    const ctx = new AioContext({ maxEvents: 4 });
    const [r, w] = makePipe(scratch.dir, fds);
    const inKernel = [ctx.poll(r, POLLIN), ctx.poll(r, POLLIN)];
    await tick(); // submitted
    const queuedToo = ctx.poll(r, POLLIN);
    const done = await ctx.cancelAll();
    expect(done).to.have.length(3);
    expect(done.every((c) => c.cancelled)).to.equal(true);
    expect((await queuedToo).res).to.equal(-ECANCELED);
    expect((await inKernel[0]).res).to.equal(0);
    writeSync(w, 'x');
    await ctx.close();
  });
});

describe('completions(): completion streams see everything from their start', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  afterEach(() => fds.closeAll());
  after(() => scratch.cleanup());

  it('yields every completion in completion order, with tags, and ends at close', async () => {
    const ctx = new AioContext({ maxEvents: 8 });
    const pipes = [0, 1, 2].map((i) => makePipe(scratch.dir, fds, `order-${i}`));
    const seen: Completion[] = [];
    const consumer = (async () => {
      for await (const c of ctx.completions()) seen.push(c);
      return 'ended';
    })();
    const reqs = pipes.map(([r], i) => ctx.poll(r, POLLIN, { tag: `p${i}` }));
    await tick();
    // Fire them in reverse order of creation, one loop turn apart.
    for (const i of [2, 0, 1]) {
      writeSync(pipes[i][1], 'x');
      await reqs[i];
    }
    await ctx.close();
    expect(await consumer).to.equal('ended');
    expect(seen.map((c) => c.request.tag)).to.deep.equal(['p2', 'p0', 'p1']);
    expect(seen.map((c) => c.request)).to.deep.equal([reqs[2], reqs[0], reqs[1]]);
  });

  it('starts from the moment it is called, and several iterators each see everything', async () => {
    const ctx = new AioContext({ maxEvents: 8 });
    const [r, w] = makePipe(scratch.dir, fds);
    writeSync(w, 'x');
    await ctx.poll(r, POLLIN, { tag: 'before' });
    const a = ctx.completions();
    const b = ctx.completions();
    await ctx.poll(r, POLLIN, { tag: 'after' });
    const closing = ctx.close();
    const tags = async (it: AsyncIterable<Completion>) => { const t = []; for await (const c of it) t.push(c.request.tag); return t; };
    expect(await tags(a)).to.deep.equal(['after']);
    expect(await tags(b)).to.deep.equal(['after']);
    await closing;
  });

  it('breaking out of the loop stops delivery to that iterator', async () => {
    const ctx = new AioContext({ maxEvents: 8 });
    const [r, w] = makePipe(scratch.dir, fds);
    writeSync(w, 'x');
    const it = ctx.completions();
    void ctx.poll(r, POLLIN, { tag: 1 });
    for await (const c of { [Symbol.asyncIterator]: () => it }) {
      expect(c.request.tag).to.equal(1);
      break;
    }
    await ctx.poll(r, POLLIN, { tag: 2 });
    expect(await it.next()).to.deep.equal({ value: undefined, done: true });
    await ctx.close();
  });
});
