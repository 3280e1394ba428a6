import { expect } from 'chai';
import { fsyncSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { AioContext, allocAligned, constants, type Completion } from '../lib/index.js';
import { Fds, makePipe, O_DIRECT, O_RDONLY, patternBytes, rng, scratchDir, tick, writeFile } from './support/helpers.js';

const { POLLIN } = constants;
const { ECANCELED } = osConstants.errno;

describe('cancellation says who won', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  let ctx: AioContext;
  const dataPath = writeFile(join(scratch.dir, 'data'), patternBytes(65536));

  beforeEach(() => { ctx = new AioContext({ maxEvents: 64 }); });
  afterEach(async () => { await ctx.close(); fds.closeAll(); });
  after(() => scratch.cleanup());

  /** Lets the flush (in the loop's check phase) submit everything queued so far. */
  const submitted = tick;

  it('a pending poll: the cancel wins, res 0, cancelled true', async () => {
    const [r] = makePipe(scratch.dir, fds);
    const req = ctx.poll(r, POLLIN);
    await submitted();
    expect(ctx.inFlight).to.equal(1);
    const c = await req.cancel();
    expect(c.cancelled).to.equal(true);
    expect(c.res).to.equal(0);
    expect(c.error).to.equal(null);
    expect(await req.done).to.equal(c);
    expect(ctx.stats().cancelled).to.equal(1);
  });

  it('a poll that already fired: the event wins, cancelled false with its mask', async () => {
    const [r, w] = makePipe(scratch.dir, fds);
    const req = ctx.poll(r, POLLIN);
    await submitted();
    writeSync(w, 'x'); // completes the poll in the kernel before we cancel
    const c = await ctx.cancel(req);
    expect(c.cancelled).to.equal(false);
    expect(c.res & POLLIN).to.equal(POLLIN);
  });

  it('a regular-file read: the kernel says EINVAL, the read runs to its end', async () => {
    // O_DIRECT, 1 MiB, each try at blocks never read before and already on
    // the disk: the disk answers long after io_submit has returned, so the
    // read is in the kernel when cancelled. (A cached read, or a small one a
    // fast disk serves from its cache, can be done as io_submit returns;
    // should that still happen, the next try is taken.)
    const size = 1 << 20;
    const tries = 16;
    const content = patternBytes(size * tries, 3);
    const fd = fds.open(writeFile(join(scratch.dir, 'direct-data'), content), O_RDONLY | O_DIRECT);
    fsyncSync(fd);
    const buf = allocAligned(size);
    let wasInFlight = false;
    for (let attempt = 0; attempt < tries && !wasInFlight; attempt++) {
      buf.fill(0);
      const req = ctx.read(fd, buf, attempt * size);
      await submitted();
      wasInFlight = ctx.inFlight === 1;
      const c = await req.cancel();
      expect(c.cancelled).to.equal(false);
      expect(c.res).to.equal(size);
      expect(buf.equals(content.subarray(attempt * size, (attempt + 1) * size))).to.equal(true);
    }
    expect(wasInFlight, 'a read in the kernel when cancelled').to.equal(true);
  });

  it('a request still in the user-space queue never reaches the kernel: -ECANCELED, cancelled true', async () => {
    const fd = fds.open(dataPath, O_RDONLY);
    const buf = Buffer.alloc(16);
    const req = ctx.read(fd, buf, 0);
    expect(ctx.queued).to.equal(1);
    const c = await req.cancel();
    expect(c.cancelled).to.equal(true);
    expect(c.res).to.equal(-ECANCELED);
    expect(c.error).to.include({ code: 'ECANCELED' });
    expect(ctx.queued).to.equal(0);
    await tick();
    expect(ctx.stats().submitted).to.equal(0);
    expect(buf.every((b) => b === 0)).to.equal(true);
  });

  it('cancelling twice, or after completion, returns the same Completion', async () => {
    const [r, w] = makePipe(scratch.dir, fds);
    const poll = ctx.poll(r, POLLIN);
    await submitted();
    const [a, b] = await Promise.all([poll.cancel(), poll.cancel()]);
    expect(a).to.equal(b);
    expect(await poll.cancel()).to.equal(a);

    const fd = fds.open(dataPath, O_RDONLY);
    const read = ctx.read(fd, Buffer.alloc(8), 0);
    const done = await read;
    expect(await read.cancel()).to.equal(done);
    expect(done.cancelled).to.equal(false);
    writeSync(w, 'x');
  });

  describe('AbortSignal', () => {
    it('aborting a pending poll cancels it', async () => {
      const [r] = makePipe(scratch.dir, fds);
      const ac = new AbortController();
      const req = ctx.poll(r, POLLIN, { signal: ac.signal });
      await submitted();
      ac.abort();
      const c = await req;
      expect(c.cancelled).to.equal(true);
      expect(c.res).to.equal(0);
    });

    it('an already-aborted signal settles at once, cancelled, without a syscall', async () => {
      const fd = fds.open(dataPath, O_RDONLY);
      const req = ctx.read(fd, Buffer.alloc(8), 0, { signal: AbortSignal.abort() });
      expect(ctx.queued).to.equal(0);
      const c = await req;
      expect(c.cancelled).to.equal(true);
      expect(c.res).to.equal(-ECANCELED);
      expect(ctx.stats().submitSyscalls).to.equal(0);
    });

    it('aborting an in-flight file read: the read wins and delivers its bytes', async () => {
      const fd = fds.open(dataPath, O_RDONLY);
      const ac = new AbortController();
      const buf = Buffer.alloc(512);
      const req = ctx.read(fd, buf, 512, { signal: ac.signal });
      await submitted();
      ac.abort();
      const c = await req;
      expect(c.cancelled).to.equal(false);
      expect(c.res).to.equal(512);
    });

    it('one signal shared by many requests adds one listener and cancels them all', async () => {
      const ac = new AbortController();
      const reqs = [];
      for (let i = 0; i < 20; i++) {
        const [r] = makePipe(scratch.dir, fds);
        reqs.push(ctx.poll(r, POLLIN, { signal: ac.signal }));
      }
      await submitted();
      ac.abort();
      const done = await Promise.all(reqs);
      expect(done.every((c) => c.cancelled && c.res === 0)).to.equal(true);
    });
  });

  it('stress: hundreds of polls racing writes against cancels settle exactly once each', async function () {
    this.timeout(60000);
    const random = rng(0xa10);
    const pipes = Array.from({ length: 40 }, (_, i) => makePipe(scratch.dir, fds, `stress-${i}`));
    const stress = new AioContext({ maxEvents: 128 }); // fewer slots than polls: the queue is exercised too
    const seen = new Map<unknown, number>();
    const stream = (async () => {
      for await (const c of stress.completions()) seen.set(c.request.tag, (seen.get(c.request.tag) ?? 0) + 1);
    })();
    const total = 400;
    const requests = [];
    for (let i = 0; i < total; i++) {
      const [r, w] = pipes[Math.floor(random() * pipes.length)];
      const req = stress.poll(r, POLLIN, { tag: i });
      requests.push(req);
      const action = random();
      const delay = Math.floor(random() * 3);
      const act = () => {
        if (action < 0.4) void req.cancel();
        else if (action < 0.8) writeSync(w, 'x');
        else { writeSync(w, 'x'); void req.cancel(); }
      };
      if (delay === 0) act();
      else if (delay === 1) queueMicrotask(act);
      else setImmediate(act);
      if (i % 50 === 49) await tick();
    }
    // Whatever is still pending gets data on every pipe.
    const timer = setInterval(() => { for (const [, w] of pipes) writeSync(w, 'y'); }, 5);
    const completions: Completion[] = await Promise.all(requests);
    clearInterval(timer);
    await stress.close();
    await stream;

    expect(completions).to.have.length(total);
    for (let i = 0; i < total; i++) {
      const c = completions[i];
      expect(seen.get(i), `tag ${i} delivered once`).to.equal(1);
      if (c.cancelled) {
        expect(c.res === 0 || c.res === -ECANCELED, `cancelled poll ${i} res ${c.res}`).to.equal(true);
      } else {
        expect(c.res & POLLIN, `poll ${i} res ${c.res}`).to.equal(POLLIN);
      }
    }
    const s = stress.stats();
    expect(s.completed).to.equal(total);
    expect(s.cancelled).to.equal(completions.filter((c) => c.cancelled).length);
    expect(s.cancelled).to.be.greaterThan(0);
    expect(total - s.cancelled).to.be.greaterThan(0);
    expect(stress.inFlight).to.equal(0);
    expect(stress.queued).to.equal(0);
  });
});
