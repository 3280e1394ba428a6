import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AioContext, type AioStats } from '../lib/index.js';
import { Fds, O_RDONLY, patternBytes, scratchDir, writeFile } from './support/helpers.js';

// Every counter AioStats documents, and no other: the compiler holds this
// list to the interface, the test holds stats() to the list. The addon's
// counters are named in addon/shared_arrays.h alone, so one added there and not
// documented fails here.
const DOCUMENTED = {
  submitted: true, completed: true, cancelled: true, refused: true, errors: true, batches: true,
  submitSyscalls: true, reapSyscalls: true, ringReaps: true, submitReaps: true, callbacks: true, wakeups: true,
  inFlight: true, queued: true,
} satisfies Record<keyof AioStats, true>;

describe('stats()', () => {
  const scratch = scratchDir();
  const path = writeFile(join(scratch.dir, 'data'), patternBytes(8 * 4096, 5));
  let fds: Fds;
  let ctx: AioContext;
  beforeEach(() => {
    fds = new Fds();
    ctx = new AioContext({ maxEvents: 8 });
  });
  afterEach(async () => {
    await ctx.close();
    fds.closeAll();
  });

  it('reports exactly the counters AioStats documents, each a number, all 0 on a new context', () => {
    const stats = ctx.stats();
    expect(Object.keys(stats).sort()).to.deep.equal(Object.keys(DOCUMENTED).sort());
    for (const [name, value] of Object.entries(stats)) expect(value, name).to.equal(0);
  });

  it("the addon's counters move: a batch of cached reads is one io_submit, reaped as it returns", async () => {
    readFileSync(path); // cached: each read completes inside io_submit
    const fd = fds.open(path, O_RDONLY);
    await Promise.all([0, 1, 2, 3].map((i) => ctx.read(fd, Buffer.alloc(4096), i * 4096)));
    const s = ctx.stats();
    expect(s).to.include({ submitted: 4, completed: 4, batches: 1, submitSyscalls: 1, submitReaps: 1, ringReaps: 1 });
    expect(s).to.include({ callbacks: 0, wakeups: 0, reapSyscalls: 0 });
  });

  it('each call gives a new object: changing it changes nothing', () => {
    const first = ctx.stats();
    (first as { submitted: number }).submitted = 99;
    expect(ctx.stats().submitted).to.equal(0);
    expect(ctx.stats()).to.not.equal(ctx.stats());
  });
});
