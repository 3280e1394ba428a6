import { expect } from 'chai';
import { readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

import { AioContext, allocAligned, dioAlignment } from '../lib/index.js';
import { Fds, O_APPEND, O_CREAT, O_DIRECT, O_RDWR, patternBytes, scratchDir, writeFile } from './support/helpers.js';

describe('reads and writes', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  let ctx: AioContext;
  const size = 64 * 1024;
  const content = patternBytes(size, 7);

  beforeEach(() => { ctx = new AioContext({ maxEvents: 64 }); });
  afterEach(async () => { await ctx.close(); fds.closeAll(); });
  after(() => scratch.cleanup());

  function file(name: string, data: Uint8Array = content): string {
    return writeFile(join(scratch.dir, name), data);
  }

  for (const direct of [false, true]) {
    const mode = direct ? 'O_DIRECT' : 'buffered';
    const flags = O_RDWR | (direct ? O_DIRECT : 0);
    const alloc = (n: number) => (direct ? allocAligned(n) : Buffer.alloc(n));

    describe(mode, () => {
      it('reads what node:fs wrote, at every offset asked', async () => {
        const fd = fds.open(file(`read-${mode}`), flags);
        const offsets = [0, 4096, 8192, 61440];
        const bufs = offsets.map(() => alloc(4096));
        const done = await Promise.all(offsets.map((off, i) => ctx.read(fd, bufs[i], off)));
        done.forEach((c, i) => {
          expect(c.res).to.equal(4096);
          expect(c.error).to.equal(null);
          expect(c.cancelled).to.equal(false);
          expect(bufs[i].equals(content.subarray(offsets[i], offsets[i] + 4096))).to.equal(true);
        });
      });

      it('writes what node:fs reads back, byte for byte', async () => {
        const path = file(`write-${mode}`, Buffer.alloc(size));
        const fd = fds.open(path, flags);
        const data = patternBytes(3 * 4096, 99);
        const src = alloc(data.length);
        data.copy(src);
        const parts = [0, 1, 2].map((i) => src.subarray(i * 4096, (i + 1) * 4096));
        const done = await Promise.all(parts.map((p, i) => ctx.write(fd, p, 8192 + i * 4096)));
        expect(done.map((c) => c.res)).to.deep.equal([4096, 4096, 4096]);
        const expected = Buffer.alloc(size);
        data.copy(expected, 8192);
        expect(readFileSync(path).equals(expected)).to.equal(true);
      });

      it('readv scatters into buffers of different sizes', async () => {
        const fd = fds.open(file(`readv-${mode}`), flags);
        const sizes = direct ? [4096, 8192, 4096] : [1, 4095, 100, 7000];
        const bufs = sizes.map((n) => alloc(n));
        const total = sizes.reduce((a, b) => a + b, 0);
        const c = await ctx.readv(fd, bufs, 4096);
        expect(c.res).to.equal(total);
        expect(Buffer.concat(bufs).equals(content.subarray(4096, 4096 + total))).to.equal(true);
      });

      it('writev gathers buffers in order', async () => {
        const path = file(`writev-${mode}`, Buffer.alloc(size));
        const fd = fds.open(path, flags);
        const sizes = direct ? [4096, 8192] : [3, 5000, 17];
        const bufs = sizes.map((n, i) => {
          const b = alloc(n);
          patternBytes(n, 10 + i).copy(b);
          return b;
        });
        const c = await ctx.writev(fd, bufs, 4096);
        const joined = Buffer.concat(bufs);
        expect(c.res).to.equal(joined.length);
        const expected = Buffer.alloc(size);
        joined.copy(expected, 4096);
        expect(readFileSync(path).equals(expected)).to.equal(true);
      });

      it('fsync and fdsync complete with 0', async () => {
        const fd = fds.open(file(`sync-${mode}`), flags);
        const src = alloc(4096);
        src.fill(0x5a);
        expect((await ctx.write(fd, src, 0)).res).to.equal(4096);
        const [f, d] = await Promise.all([ctx.fsync(fd), ctx.fdsync(fd)]);
        expect([f.res, d.res, f.res2, d.res2]).to.deep.equal([0, 0, 0, 0]);
        expect(f.request.op).to.equal('fsync');
        expect(d.request.op).to.equal('fdsync');
      });

      it('a read at or past EOF resolves res === 0; one across EOF is short', async () => {
        const fd = fds.open(file(`eof-${mode}`), flags);
        const at = await ctx.read(fd, alloc(4096), size);
        const past = await ctx.read(fd, alloc(4096), size + 8192);
        expect(at.res).to.equal(0);
        expect(past.res).to.equal(0);
        const across = alloc(8192);
        expect((await ctx.read(fd, across, size - 4096)).res).to.equal(4096);
        expect(across.subarray(0, 4096).equals(content.subarray(size - 4096))).to.equal(true);
      });
    });
  }

  it('O_DIRECT alignment comes from statx on this filesystem', () => {
    const align = dioAlignment(file('align'));
    expect(align).to.not.equal(null);
    expect(align!.memory).to.be.greaterThan(0);
    expect(align!.offset).to.be.greaterThan(0);
    expect(4096 % align!.offset).to.equal(0);
  });

  it('O_APPEND appends whatever the position', async () => {
    const path = file('append', Buffer.from('start:'));
    const fd = fds.open(path, O_RDWR | O_APPEND);
    expect((await ctx.write(fd, Buffer.from('one,'), 0)).res).to.equal(4);
    expect((await ctx.write(fd, Buffer.from('two'), 2)).res).to.equal(3);
    expect(readFileSync(path, 'utf8')).to.equal('start:one,two');
  });

  it('respects byteOffset and byteLength of any ArrayBufferView', async () => {
    const fd = fds.open(file('views'), O_RDWR);
    const backing = new ArrayBuffer(64);
    const u8 = new Uint8Array(backing, 8, 16);
    const dv = new DataView(backing, 32, 8);
    const f64 = new Float64Array(backing, 48, 2);
    await Promise.all([ctx.read(fd, u8, 100), ctx.read(fd, dv, 200), ctx.read(fd, f64, 300)]);
    const all = Buffer.from(backing);
    expect(all.subarray(8, 24).equals(content.subarray(100, 116))).to.equal(true);
    expect(all.subarray(32, 40).equals(content.subarray(200, 208))).to.equal(true);
    expect(all.subarray(48, 64).equals(content.subarray(300, 316))).to.equal(true);
    // Bytes outside the views are untouched.
    expect(all.subarray(0, 8).every((b) => b === 0)).to.equal(true);
    expect(all.subarray(24, 32).every((b) => b === 0)).to.equal(true);
    expect(all.subarray(40, 48).every((b) => b === 0)).to.equal(true);
  });

  it('reads into SharedArrayBuffer-backed views and 16-bit typed arrays', async () => {
    const fd = fds.open(file('shared'), O_RDWR);
    const shared = new Uint8Array(new SharedArrayBuffer(32), 4, 16);
    const u16 = new Uint16Array(8);
    const [a, b] = await Promise.all([ctx.read(fd, shared, 1000), ctx.readv(fd, [u16], 2000)]);
    expect([a.res, b.res]).to.deep.equal([16, 16]);
    expect(Buffer.from(shared).equals(content.subarray(1000, 1016))).to.equal(true);
    expect(Buffer.from(u16.buffer).equals(content.subarray(2000, 2016))).to.equal(true);
  });

  it('a small on-heap typed array is filled where JavaScript sees it', async () => {
    const fd = fds.open(file('small'), O_RDWR);
    const small = new Uint8Array(8); // V8 keeps arrays this small on its heap
    const c = await ctx.read(fd, small, 10);
    expect(c.res).to.equal(8);
    expect(Buffer.from(small).equals(content.subarray(10, 18))).to.equal(true);
  });

  it('accepts bigint positions', async () => {
    const path = join(scratch.dir, 'sparse');
    const fd = fds.open(path, O_RDWR | O_CREAT);
    const far = 2n ** 40n + 0x89abcdn; // 1 TiB into a sparse file; both 32-bit halves non-zero
    expect((await ctx.write(fd, Buffer.from('far away'), far)).res).to.equal(8);
    const back = Buffer.alloc(8);
    expect((await ctx.read(fd, back, far)).res).to.equal(8);
    expect(back.toString()).to.equal('far away');
    const seen = Buffer.alloc(8);
    expect(readSync(fd, seen, 0, 8, Number(far))).to.equal(8); // the kernel put it where we said
    expect(seen.toString()).to.equal('far away');
    const near = Buffer.alloc(4);
    expect((await ctx.read(fd, near, 16n)).res).to.equal(4);
  });

  it('many operations of one tick share one io_submit', async () => {
    const fd = fds.open(file('batch'), O_RDWR);
    const before = ctx.stats();
    const reqs = Array.from({ length: 32 }, (_, i) => ctx.read(fd, Buffer.alloc(512), i * 512));
    expect(ctx.queued).to.equal(32);
    await Promise.all(reqs);
    const after = ctx.stats();
    expect(after.submitSyscalls - before.submitSyscalls).to.equal(1);
    expect(after.batches - before.batches).to.equal(1);
    expect(after.submitted - before.submitted).to.equal(32);
  });

  it('submit() sends an explicit batch at once, in order', async () => {
    const path = file('explicit', Buffer.alloc(16));
    const fd = fds.open(path, O_RDWR);
    const out = Buffer.alloc(4);
    const reqs = ctx.submit([
      { op: 'write', fd, buffer: Buffer.from('abcd'), position: 0, tag: 'w' },
      { op: 'writev', fd, buffers: [Buffer.from('ef'), Buffer.from('gh')], position: 4 },
      { op: 'fdsync', fd },
    ]);
    // In the kernel already (or done: buffered writes finish inside io_submit).
    expect(ctx.queued).to.equal(0);
    expect(ctx.stats().submitted).to.equal(3);
    const done = await Promise.all(reqs);
    expect(done.map((c) => c.res)).to.deep.equal([4, 4, 0]);
    expect(done[0].request.tag).to.equal('w');
    expect((await ctx.submit([{ op: 'read', fd, buffer: out, position: 2 }])[0]).res).to.equal(4);
    expect(out.toString()).to.equal('cdef');
  });
});
