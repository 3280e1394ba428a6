import { expect } from 'chai';
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
});
