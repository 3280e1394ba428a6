import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { AioContext } from '../lib/index.js';
import { ENTRY, Fds, O_RDONLY, patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

// Completions are read from the kernel's user-space ring when its header is
// one we know, with io_getevents as the fallback. Both paths must deliver.
describe('reaping', () => {
  const scratch = scratchDir();
  const content = patternBytes(1 << 16, 11);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  it('reads completions from the user-space ring without a syscall', async () => {
    const fds = new Fds();
    const ctx = new AioContext({ maxEvents: 8 });
    const fd = fds.open(path, O_RDONLY);
    const bufs = Array.from({ length: 40 }, () => Buffer.alloc(256));
    const done = await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 256)));
    expect(done.every((c, i) => c.res === 256 && bufs[i].equals(content.subarray(i * 256, (i + 1) * 256)))).to.equal(true);
    const s = ctx.stats();
    expect(s.ringReaps).to.be.greaterThan(0);
    expect(s.reapSyscalls).to.equal(0);
    // A burst of completions crosses into JavaScript in batches, not one by one.
    expect(s.callbacks).to.be.lessThan(40);
    await ctx.close();
    fds.closeAll();
  });

  it('falls back to io_getevents (LINUX_AIO_REAP=syscall) with the same results', async () => {
    const r = await runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { openSync, readFileSync } from 'node:fs';
      const content = readFileSync(${JSON.stringify(path)});
      const fd = openSync(${JSON.stringify(path)}, 'r');
      const ctx = new AioContext({ maxEvents: 8 });
      const bufs = Array.from({ length: 40 }, () => Buffer.alloc(256));
      const done = await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 256)));
      const ok = done.every((c, i) => c.res === 256 && bufs[i].equals(content.subarray(i * 256, (i + 1) * 256)));
      const s = ctx.stats();
      await ctx.close();
      console.log(JSON.stringify({ ok, ring: s.ringReaps, syscalls: s.reapSyscalls > 0 }));
    `, { env: { ...process.env, LINUX_AIO_REAP: 'syscall' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ ok: true, ring: 0, syscalls: true });
  });

  // Without the ring, a reap cannot look for what it left behind: a full
  // chunk is taken to mean more may wait, and the loop comes back for it.
  it('without the ring, a burst of 20 completions is settled 8 at a time and none is left behind', async () => {
    const fifo = join(scratch.dir, 'burst-fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runNode(`
      import { AioContext, constants } from ${JSON.stringify(ENTRY)};
      import { openSync, writeSync, constants as fs } from 'node:fs';
      const rd = openSync(${JSON.stringify(fifo)}, fs.O_RDONLY | fs.O_NONBLOCK);
      const wr = openSync(${JSON.stringify(fifo)}, fs.O_WRONLY);
      const ctx = new AioContext({ maxEvents: 32 });
      const polls = Array.from({ length: 20 }, () => ctx.poll(rd, constants.POLLIN));
      await new Promise((resolve) => setImmediate(resolve));
      const before = ctx.stats();
      writeSync(wr, 'x');
      const done = await Promise.all(polls);
      const s = ctx.stats();
      await ctx.close();
      console.log(JSON.stringify({
        ready: done.filter((c) => (c.res & constants.POLLIN) !== 0).length,
        callbacks: s.callbacks - before.callbacks, ring: s.ringReaps,
      }));
    `, { env: { ...process.env, LINUX_AIO_REAP: 'syscall' } });
    expect(r.code, r.stderr).to.equal(0);
    // 8 + 8 + 4: three crossings (more only if the kernel delivered them in pieces).
    const out = JSON.parse(r.stdout);
    expect(out.ready).to.equal(20);
    expect(out.ring).to.equal(0);
    expect(out.callbacks).to.be.at.least(3);
  });
});
