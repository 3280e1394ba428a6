import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AioContext } from '../lib/index.js';
import { Fds, O_RDONLY, patternBytes, scratchDir, writeFile } from './support/helpers.js';

// The performance design, held by counters rather than by times: one
// io_submit per loop turn, one crossing into JavaScript per burst of completions.
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

  it('64 reads created in one tick cost one io_submit, and their completions one JavaScript callback', async () => {
    const before = ctx.stats();
    const bufs = Array.from({ length: 64 }, () => Buffer.alloc(4096));
    const done = await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 4096)));
    const after = ctx.stats();
    expect(done.every((c, i) => c.res === 4096 && bufs[i].equals(content.subarray(i * 4096, (i + 1) * 4096)))).to.equal(true);
    expect(after.submitSyscalls - before.submitSyscalls, 'io_submit calls').to.equal(1);
    expect(after.batches - before.batches, 'batches').to.equal(1);
    expect(after.callbacks - before.callbacks, 'crossings into JavaScript').to.equal(1);
    expect(after.reapSyscalls - before.reapSyscalls, 'io_getevents calls').to.equal(0);
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
