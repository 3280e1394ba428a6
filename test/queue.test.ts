import { expect } from 'chai';
import { writeSync } from 'node:fs';
import { join } from 'node:path';

import { AioContext, constants } from '../lib/index.js';
import { ENTRY, Fds, O_RDONLY, makePipe, patternBytes, preloadEnv, runNode, scratchDir, syscallShim, tick, writeFile } from './support/helpers.js';

describe('more requests than maxEvents: excess requests wait in order', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  const content = patternBytes(1 << 20, 3);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => { fds.closeAll(); scratch.cleanup(); });

  for (const factor of [1, 2, 10]) {
    it(`${factor}x the ring: every request completes with the right bytes`, async () => {
      const maxEvents = 16;
      const ctx = new AioContext({ maxEvents });
      try {
        const fd = fds.open(path, O_RDONLY);
        const total = maxEvents * factor;
        const bufs = Array.from({ length: total }, () => Buffer.alloc(1024));
        const reqs = bufs.map((b, i) => ctx.read(fd, b, i * 1024, { tag: i }));
        expect(ctx.queued).to.equal(total);
        expect(ctx.inFlight).to.equal(0);
        await tick(); // the flush runs: one ring's worth goes to the kernel, the rest waits
        expect(ctx.stats().submitted).to.equal(Math.min(total, maxEvents));
        expect(ctx.queued).to.equal(total - Math.min(total, maxEvents));
        const done = await Promise.all(reqs);
        done.forEach((c, i) => {
          expect(c.res).to.equal(1024);
          expect(c.request.tag).to.equal(i);
          expect(bufs[i].equals(content.subarray(i * 1024, (i + 1) * 1024))).to.equal(true);
        });
        expect(ctx.inFlight).to.equal(0);
        expect(ctx.queued).to.equal(0);
        const s = ctx.stats();
        expect(s.submitted).to.equal(total);
        expect(s.completed).to.equal(total);
        // Never more in the kernel than the ring holds: at least one batch per ring's worth.
        expect(s.batches).to.be.at.least(factor);
      } finally {
        await ctx.close();
      }
    });
  }

  it('inFlight never exceeds maxEvents while a long queue drains', async () => {
    // Polls on empty pipes stay in the kernel until their pipe is written
    // (a cached read would complete inside io_submit and never be seen in flight).
    const ctx = new AioContext({ maxEvents: 4 });
    const pipes = Array.from({ length: 12 }, (_, i) => makePipe(scratch.dir, fds, `drain-${i}`));
    const polls = pipes.map(([r]) => ctx.poll(r, constants.POLLIN));
    await tick();
    expect(ctx.inFlight).to.equal(4);
    expect(ctx.queued).to.equal(8);
    for (let i = 0; i < pipes.length; i++) {
      writeSync(pipes[i][1], 'x');
      expect((await polls[i]).res & constants.POLLIN).to.not.equal(0);
      await tick(); // the freed slot is refilled
      expect(ctx.inFlight, `after poll ${i}`).to.equal(Math.min(4, pipes.length - 1 - i));
      expect(ctx.queued).to.equal(Math.max(0, pipes.length - 5 - i));
    }
    await ctx.close();
  });

  // A shim makes io_submit take only half of each batch, and answer EAGAIN
  // to every third call, as a kernel short of resources would. `body` runs
  // under it with `ctx` (16 slots), `fd`, the file's `content` and 200
  // buffers of 512 bytes (`bufs`).
  const underStingySubmit = (body: string) => {
    const lib = syscallShim(scratch.dir, 'stingy-submit', `
      static int calls;
      if (n == SYS_io_submit) {
        if (++calls % 3 == 0) { errno = EAGAIN; return -1; }
        if (a[1] > 1) a[1] /= 2;
      }`);
    return lib === null ? null : runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { openSync, readFileSync } from 'node:fs';
      const content = readFileSync(${JSON.stringify(path)});
      const fd = openSync(${JSON.stringify(path)}, 'r');
      const ctx = new AioContext({ maxEvents: 16 });
      const bufs = Array.from({ length: 200 }, () => Buffer.alloc(512));
      ${body}
    `, { timeoutMs: 15000, env: preloadEnv(lib) });
  };

  it('EAGAIN and partial submission from io_submit are absorbed: every request completes once', async function () {
    const run = underStingySubmit(`
      const seen = new Map();
      const stream = (async () => { for await (const c of ctx.completions()) seen.set(c.request.tag, (seen.get(c.request.tag) ?? 0) + 1); })();
      const done = await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 512, { tag: i })));
      const s = ctx.stats();
      await ctx.close();
      await stream;
      const ok = done.every((c, i) => c.res === 512 && bufs[i].equals(content.subarray(i * 512, (i + 1) * 512)));
      const once = bufs.every((_, i) => seen.get(i) === 1);
      console.log(JSON.stringify({ ok, once, submitted: s.submitted, refused: s.refused, moreSyscallsThanBatches: s.submitSyscalls > s.batches }));
    `);
    if (run === null) this.skip();
    const r = await run;
    expect(r.timedOut, 'hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ ok: true, once: true, submitted: 200, refused: 0, moreSyscallsThanBatches: true });
  });

  it('EAGAIN and partial submission take a readBatch back to where it stopped: every read done once, in place', async function () {
    const run = underStingySubmit(`
      const positions = bufs.map((_, i) => i * 512);
      const one = Buffer.alloc(512);
      const [first, lone, second] = await Promise.all([
        ctx.readBatch(fd, bufs.slice(0, 100), positions.slice(0, 100)),
        ctx.read(fd, one, 512 * 7),
        ctx.readBatch(fd, bufs.slice(100), positions.slice(100)),
      ]);
      const s = ctx.stats();
      await ctx.close();
      const ok = [...first, ...second].every((res, i) => res === 512 && bufs[i].equals(content.subarray(i * 512, (i + 1) * 512)));
      console.log(JSON.stringify({ ok, lone: lone.res === 512 && one.equals(content.subarray(512 * 7, 512 * 8)),
        submitted: s.submitted, completed: s.completed, refused: s.refused, moreSyscallsThanBatches: s.submitSyscalls > s.batches }));
    `);
    if (run === null) this.skip();
    const r = await run;
    expect(r.timedOut, 'hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      ok: true, lone: true, submitted: 201, completed: 201, refused: 0, moreSyscallsThanBatches: true,
    });
  });

  it('EAGAIN while only a never-ending poll is in flight: the queued read is retried, not stranded', async function () {
    const lib = syscallShim(scratch.dir, 'second-submit-eagain', `
      static int calls;
      if (n == SYS_io_submit && ++calls == 2) { errno = EAGAIN; return -1; }`);
    if (lib === null) this.skip();
    const r = await runNode(`
      import { AioContext, constants } from ${JSON.stringify(ENTRY)};
      import { openSync, constants as fs } from 'node:fs';
      import { execFileSync } from 'node:child_process';
      const fifo = ${JSON.stringify(scratch.dir)} + '/eagain-fifo';
      execFileSync('mkfifo', [fifo]);
      const ctx = new AioContext({ maxEvents: 8 });
      const poll = ctx.poll(openSync(fifo, fs.O_RDONLY | fs.O_NONBLOCK), constants.POLLIN);
      await new Promise((r) => setImmediate(r)); // submitted
      const c = await ctx.read(openSync(${JSON.stringify(path)}, 'r'), Buffer.alloc(8), 0);
      const s = ctx.stats();
      await ctx.close();
      console.log(JSON.stringify({ res: c.res, submitSyscalls: s.submitSyscalls, poll: (await poll).cancelled }));
    `, { timeoutMs: 10000, env: preloadEnv(lib!) });
    expect(r.timedOut, 'the queued read was stranded').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ res: 8, submitSyscalls: 3, poll: true });
  });
});
