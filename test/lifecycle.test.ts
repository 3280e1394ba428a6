import { expect } from 'chai';
import { join } from 'node:path';

import { ENTRY, patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

// Each case runs in its own Node process: what is tested is how that process
// ends (or does not), which no in-process assertion can see.
describe('lifecycle (rules 7 and 8)', () => {
  const scratch = scratchDir();
  const data = writeFile(join(scratch.dir, 'data'), patternBytes(1 << 20));
  after(() => scratch.cleanup());

  const prelude = `
    import { AioContext, constants } from ${JSON.stringify(ENTRY)};
    import { openSync, writeSync, readFileSync, constants as fsConstants } from 'node:fs';
    import { execFileSync } from 'node:child_process';
    const data = ${JSON.stringify(data)};
    const aioNr = () => Number(readFileSync('/proc/sys/fs/aio-nr', 'utf8'));
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
      const before = aioNr();
      (() => { for (let i = 0; i < 20; i++) new AioContext({ maxEvents: 512 }); })();
      const during = aioNr();
      for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ grew: during > before, back: aioNr() === before }));
    `, { timeoutMs: 10000, args: ['--expose-gc'] });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ grew: true, back: true });
  });

  it('workers terminated with requests in flight: the main thread carries on, nothing leaks', async function () {
    this.timeout(60000);
    const r = await runNode(`${prelude}
      import { Worker } from 'node:worker_threads';
      const before = aioNr();
      const workerSource = \`
        import { AioContext, constants } from \${JSON.stringify(${JSON.stringify(ENTRY)})};
        import { openSync } from 'node:fs';
        import { parentPort, workerData } from 'node:worker_threads';
        const ctx = new AioContext({ maxEvents: 64 });
        const other = new AioContext({ maxEvents: 16 });
        const fd = openSync(workerData.data, 'r');
        ctx.poll(workerData.rd, constants.POLLIN);
        other.poll(workerData.rd, constants.POLLIN);
        let n = 0;
        const loop = () => {
          for (let i = 0; i < 32; i++) ctx.read(fd, Buffer.alloc(4096), (i * 4096) % (1 << 20)).then(() => { if (++n === 64) parentPort.postMessage('busy'); });
        };
        setInterval(loop, 0);
      \`;
      const [rd] = pipe('worker');
      for (let round = 0; round < 8; round++) {
        const w = new Worker(workerSource, { eval: true, workerData: { data, rd } });
        await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
        await w.terminate();
      }
      const ctx = new AioContext();
      const c = await ctx.read(openSync(data, 'r'), Buffer.alloc(16), 0);
      await ctx.close();
      console.log(JSON.stringify({ res: c.res, aioNrBack: aioNr() === before }));
    `, { timeoutMs: 50000 });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ res: 16, aioNrBack: true });
  });

  it('10 000 contexts created and closed: aio-nr back to baseline', async function () {
    this.timeout(60000);
    // io_destroy waits for an RCU grace period on a threadpool thread: many
    // threads let many grace periods overlap.
    const r = await runNode(`${prelude}
      const before = aioNr();
      for (let round = 0; round < 50; round++) {
        await Promise.all(Array.from({ length: 200 }, () => new AioContext({ maxEvents: 4 }).close()));
      }
      console.log(JSON.stringify({ aioNrBack: aioNr() === before }));
    `, { timeoutMs: 50000, env: { ...process.env, UV_THREADPOOL_SIZE: '128' } });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ aioNrBack: true });
  });

  it('workers terminated while their contexts close (io_destroy on the threadpool): no crash, nothing leaks', async function () {
    this.timeout(60000);
    const r = await runNode(`${prelude}
      import { Worker } from 'node:worker_threads';
      const before = aioNr();
      const workerSource = \`
        import { AioContext } from \${JSON.stringify(${JSON.stringify(ENTRY)})};
        import { openSync } from 'node:fs';
        import { parentPort, workerData } from 'node:worker_threads';
        const fd = openSync(workerData.data, 'r');
        const contexts = Array.from({ length: 4 }, () => new AioContext({ maxEvents: 8 }));
        await Promise.all(contexts.map((c) => c.read(fd, Buffer.alloc(4096), 0)));
        for (const c of contexts) c.close();
        parentPort.postMessage('closing');
      \`;
      for (let round = 0; round < 20; round++) {
        const w = new Worker(workerSource, { eval: true, workerData: { data } });
        await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
        await w.terminate();
      }
      console.log(JSON.stringify({ aioNrBack: aioNr() === before }));
    `, { timeoutMs: 50000 });
    expect(r.timedOut, 'process hung').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ aioNrBack: true });
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
