import { expect } from 'chai';
import { join } from 'node:path';

import { AIO_RINGS, ENTRY, patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

// Each case runs in its own Node process: what is tested is how that process
// ends (or does not), which no in-process assertion can see.
describe('lifecycle: idle contexts never hold the process open; a thread that ends cleans up its contexts', () => {
  const scratch = scratchDir();
  const data = writeFile(join(scratch.dir, 'data'), patternBytes(1 << 20));
  after(() => scratch.cleanup());

  const prelude = `
    import { AioContext, constants } from ${JSON.stringify(ENTRY)};
    import { aioRingsHeld } from ${JSON.stringify(AIO_RINGS)};
    import { openSync, writeSync, constants as fsConstants } from 'node:fs';
    import { execFileSync } from 'node:child_process';
    const data = ${JSON.stringify(data)};
    function pipe(name) {
      const p = ${JSON.stringify(scratch.dir)} + '/' + name + process.pid;
      execFileSync('mkfifo', [p]);
      // Not O_RDWR: aio poll refuses a FIFO opened both ways (two wait queues).
      return [openSync(p, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK), openSync(p, 'w')];
    }
  `;

  it('a context that is never closed does not hold the process open', async () => {
    const r = await runNode(`${prelude}
      const ctx = new AioContext();
      const fd = openSync(data, 'r');
      const c = await ctx.read(fd, Buffer.alloc(4096), 0);
      console.log('read', c.res);
    `, { timeoutMs: 10000 });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('read 4096');
  });

  it('an idle context with no I/O at all does not hold the process open', async () => {
    const r = await runNode(`${prelude} new AioContext(); new AioContext({ maxEvents: 4 }); console.log('ok');`, { timeoutMs: 10000 });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
  });

  it('requests in flight keep the process alive and complete after every reference is dropped and GC runs', async () => {
    const r = await runNode(`${prelude}
      const [rd, wr] = pipe('gc');
      const fd = openSync(data, 'r');
      const results = [];
      (() => {
        const ctx = new AioContext({ maxEvents: 8 });
        ctx.poll(rd, constants.POLLIN).then((c) => { results.push('poll ' + (c.res & constants.POLLIN) + ' ' + c.cancelled); });
        for (let i = 0; i < 4; i++) ctx.read(fd, Buffer.alloc(4096), i * 4096).then((c) => results.push('read ' + c.res));
      })();
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
      // Only the kernel and the native context still know about the poll.
      setTimeout(() => { globalThis.gc(); writeSync(wr, 'x'); }, 50);
      process.on('exit', () => console.log(results.join(',')));
    `, { timeoutMs: 10000, args: ['--expose-gc'] });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('read 4096,read 4096,read 4096,read 4096,poll 1 false');
  });

  it('a context garbage-collected while idle gives its kernel slots back', async () => {
    const r = await runNode(`${prelude}
      const before = aioRingsHeld();
      (() => { for (let i = 0; i < 20; i++) new AioContext({ maxEvents: 512 }); })();
      const during = aioRingsHeld();
      for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ grew: during > before, back: aioRingsHeld() === before }));
    `, { timeoutMs: 10000, args: ['--expose-gc'] });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ grew: true, back: true });
  });

  it('10 000 contexts created and closed: none left held', async function () {
    this.timeout(60000);
    const r = await runNode(`${prelude}
      const before = aioRingsHeld();
      for (let round = 0; round < 50; round++) {
        await Promise.all(Array.from({ length: 200 }, () => new AioContext({ maxEvents: 4 }).close()));
      }
      console.log(JSON.stringify({ contextsBack: aioRingsHeld() === before }));
    `, { timeoutMs: 50000 });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ contextsBack: true });
  });

  it('process.exit() with requests in flight exits cleanly', async () => {
    const r = await runNode(`${prelude}
      const [rd] = pipe('exit');
      const ctx = new AioContext();
      ctx.poll(rd, constants.POLLIN);
      const fd = openSync(data, 'r');
      for (let i = 0; i < 64; i++) ctx.read(fd, Buffer.alloc(4096), i * 4096);
      await new Promise((r) => setImmediate(r)); // submitted
      process.exit(3);
    `, { timeoutMs: 10000 });
    expect(r.timedOut).to.equal(false);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.equal('');
  });
});
