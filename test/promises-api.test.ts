import { expect } from 'chai';
import type { EventEmitter } from 'node:events';
import { fstatSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import * as aioFs from '../lib/promises.js';
import aioDefault from '../lib/promises.js';
import { ENTRY, ROOT, runNode, scratchDir, writeFile } from './support/helpers.js';

const PROMISES = ENTRY.replace('index.js', 'promises.js');

describe('linux-aio/promises: the surface of node:fs/promises', () => {
  const scratch = scratchDir();
  const path = writeFile(join(scratch.dir, 'data'), Buffer.from('0123456789abcdef'));
  after(() => scratch.cleanup());

  it('exports every name node:fs/promises does, and a default with them all', () => {
    for (const name of Object.keys(nodeFs)) {
      expect(aioFs, name).to.have.property(name);
      expect(aioDefault, `default.${name}`).to.have.property(name);
    }
    expect(aioFs.constants).to.equal(nodeFs.constants);
    expect(aioFs.stat).to.equal(nodeFs.stat);
    expect(['kernel-aio', 'node-fs']).to.include(aioFs.backend);
    // linux-aio's own functions too.
    expect(aioDefault.open).to.equal(aioFs.open);
    expect(aioDefault.stats).to.equal(aioFs.stats);
    expect(aioDefault.adopt).to.equal(aioFs.adopt);
  });

  it('loads through require() too (no top-level await)', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const viaRequire = require('linux-aio/promises') as typeof aioFs;
    expect(viaRequire.open).to.be.a('function');
    expect(viaRequire.readFile).to.be.a('function');
  });

  it("open() returns node's own FileHandle, instanceof and all", async () => {
    const ours = await aioFs.open(path);
    const theirs = await nodeFs.open(path);
    try {
      expect(ours).to.be.instanceOf(theirs.constructor);
      expect(ours.constructor).to.equal(theirs.constructor);
      expect(ours.fd).to.be.a('number');
      expect(Object.keys(ours)).to.deep.equal(Object.keys(theirs));
      let closed = false;
      (ours as unknown as EventEmitter).on('close', () => { closed = true; });
      await ours.close();
      expect(closed).to.equal(true);
      expect(ours.fd).to.equal(-1);
    } finally {
      await theirs.close();
    }
  });

  it('a FileHandle can be transferred to a worker and read there', async () => {
    const fh = await aioFs.open(path);
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads');
      parentPort.once('message', async (fh) => {
        const { bytesRead, buffer } = await fh.read(Buffer.alloc(4), 0, 4, 10);
        await fh.close();
        parentPort.postMessage(bytesRead + ':' + buffer.toString());
      });`, { eval: true });
    const reply = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage(fh, [fh as never]);
    expect(await reply).to.equal('4:abcd');
    expect(fh.fd).to.equal(-1);
    await worker.terminate();
  });

  it('await using closes the handle', async () => {
    let fd = -2;
    {
      await using fh = await aioFs.open(path);
      fd = fh.fd;
      expect((await fh.read(Buffer.alloc(2), 0, 2, 0)).bytesRead).to.equal(2);
    }
    expect(fd).to.be.greaterThan(2);
    expect(() => fstatSync(fd)).to.throw().with.property('code', 'EBADF');
  });

  it('close() waits for kernel reads in flight, as node waits for its own', async () => {
    const fh = await aioFs.open(path);
    const reads = Array.from({ length: 16 }, (_, i) => fh.read(Buffer.alloc(1), 0, 1, i));
    const closing = fh.close();
    const done = await Promise.all(reads);
    await closing;
    expect(done.map((r) => r.buffer.toString()).join('')).to.equal('0123456789abcdef');
  });

  it('with kernel AIO unavailable (LINUX_AIO_BACKEND=node-fs) everything works on node:fs and says so', async () => {
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      const fh = await fs.open(${JSON.stringify(path)}, 'r');
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(4), 0, 4, 2);
      await fh.close();
      const whole = await fs.readFile(${JSON.stringify(path)}, 'utf8');
      const s = fs.stats();
      console.log(JSON.stringify({ backend: fs.backend, read: bytesRead + buffer.toString(), whole, kernel: s.kernel, reason: s.reason }));
    `, { env: { ...process.env, LINUX_AIO_BACKEND: 'node-fs' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      backend: 'node-fs', read: '42345', whole: '0123456789abcdef', kernel: 0, reason: 'LINUX_AIO_BACKEND=node-fs',
    });
  });
});
