import { expect } from 'chai';
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { AioContext, allocAligned, constants, dioAlignment, ioprio, isAligned, probe } from '../lib/index.js';
import { binding } from '../lib/native.js';
import { Fds, O_RDONLY, ROOT, scratchDir, writeFile } from './support/helpers.js';

describe('helpers and constants', () => {
  const scratch = scratchDir();
  after(() => scratch.cleanup());

  it('constants match the C headers the addon was built with', () => {
    for (const [name, value] of Object.entries(constants)) {
      expect(binding!.constants[name], name).to.equal(value);
    }
  });

  it('allocAligned gives zeroed buffers on the asked boundary', () => {
    for (const alignment of [512, 4096, 65536]) {
      const b = allocAligned(10000, alignment);
      expect(b.length).to.equal(10000);
      expect(isAligned(b, alignment)).to.equal(true);
      expect(b.every((x) => x === 0)).to.equal(true);
    }
    expect(allocAligned(0).length).to.equal(0);
    expect(isAligned(allocAligned(4096).subarray(1), 2)).to.equal(false);
  });

  it('dioAlignment answers for a path, a URL and an fd; null where there is none', () => {
    const path = writeFile(join(scratch.dir, 'f'), Buffer.alloc(1));
    const byPath = dioAlignment(path);
    expect(byPath).to.deep.equal(dioAlignment(new URL(`file://${path}`)));
    const fd = openSync(path, O_RDONLY);
    try {
      expect(dioAlignment(fd)).to.deep.equal(byPath);
    } finally {
      closeSync(fd);
    }
    // procfs has no direct I/O.
    expect(dioAlignment('/proc/self/status')).to.equal(null);
  });

  it('ioprio packs class and level like IOPRIO_PRIO_VALUE', () => {
    expect(ioprio(constants.IOPRIO_CLASS_BE, 4)).to.equal((2 << 13) | 4);
    expect(ioprio(constants.IOPRIO_CLASS_IDLE, 0)).to.equal(3 << 13);
  });

  it('a best-effort priority is accepted by the kernel', async () => {
    const fds = new Fds();
    const ctx = new AioContext({ maxEvents: 2 });
    const fd = fds.open(writeFile(join(scratch.dir, 'prio'), Buffer.alloc(64, 7)), O_RDONLY);
    const c = await ctx.read(fd, Buffer.alloc(64), 0, { priority: ioprio(constants.IOPRIO_CLASS_BE, 7) });
    expect(c.res).to.equal(64);
    await ctx.close();
    fds.closeAll();
  });

  it('probe() reports the running kernel: AIO, poll, fsync and NOWAIT, which the suite needs, all supported', () => {
    const p = probe();
    expect(p.kernel).to.be.a('string').and.not.equal('');
    for (const f of [p.aio, p.poll, p.fsync, p.nowait]) expect(f).to.deep.equal({ supported: true, reason: null });
    expect(probe()).to.equal(p);
  });

  it('the package exports map resolves for import and require', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const viaRequire = require('linux-aio') as typeof import('../lib/index.js');
    expect(viaRequire.AioContext).to.be.a('function');
    expect(Object.keys(viaRequire).sort()).to.deep.equal(
      ['AioContext', 'AioRequest', 'Completion', 'allocAligned', 'constants', 'dioAlignment', 'ioprio', 'isAligned', 'probe']);
  });
});
