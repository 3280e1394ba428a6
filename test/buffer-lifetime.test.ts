import { expect } from 'chai';
import { join } from 'node:path';

import { ENTRY, runNode, scratchDir, writeFile } from './support/helpers.js';

// Buffers stay alive until their Completion (docs/contract.md), the first
// duty of the native code: memory handed to the kernel
// stays alive until its completion, whatever JavaScript does to the buffer.
describe('buffer lifetime', () => {
  const scratch = scratchDir();
  const path = writeFile(join(scratch.dir, 'ab'), Buffer.alloc(64 * 65536, 0xab));
  after(() => scratch.cleanup());

  it('a buffer transferred away and collected mid-read is not written after it is freed', async function () {
    this.timeout(60000);
    // Each read's ArrayBuffer is detached (transferred to a clone that is
    // dropped) while O_DIRECT reads are in flight, then collected; fresh
    // zeroed buffers must never receive the file's 0xab bytes.
    const r = await runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { binding } from ${JSON.stringify(ENTRY.replace('index.js', 'native.js'))};
      import { openSync, constants } from 'node:fs';
      const SZ = 65536;
      const fd = openSync(${JSON.stringify(path)}, constants.O_RDONLY | constants.O_DIRECT);
      const ctx = new AioContext({ maxEvents: 64 });
      let corrupted = 0, total = 0, detachedInFlight = 0;
      for (let round = 0; round < 60; round++) {
        const views = [], reqs = [];
        for (let i = 0; i < 64; i++) {
          const u = new Uint8Array(new ArrayBuffer(SZ + 4096));
          const off = (4096 - (binding.addressOf(u) % 4096)) % 4096;
          views.push(u.subarray(off, off + SZ));
          reqs.push(ctx.read(fd, views[i], i * SZ));
        }
        await new Promise((r) => setImmediate(r)); // submitted
        detachedInFlight += ctx.inFlight;
        for (const v of views) structuredClone(v.buffer, { transfer: [v.buffer] });
        globalThis.gc({ type: 'minor' });
        const fresh = Array.from({ length: 64 }, () => new Uint8Array(new ArrayBuffer(SZ + 4096)));
        const done = await Promise.all(reqs);
        if (done.some((c) => c.res !== SZ)) throw new Error('read failed: ' + done.find((c) => c.res !== SZ).res);
        for (const f of fresh) { total++; if (f.includes(0xab)) corrupted++; }
      }
      await ctx.close();
      console.log(JSON.stringify({ total, corrupted, detachedInFlight: detachedInFlight > 0 }));
    `, { args: ['--expose-gc'], timeoutMs: 50000 });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ total: 3840, corrupted: 0, detachedInFlight: true });
  });
});
