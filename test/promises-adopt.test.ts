import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { allocAligned } from '../lib/index.js';
import * as aioFs from '../lib/promises.js';
import { ENTRY, O_APPEND, O_DIRECT, O_RDWR, patternBytes, rejection, scratchDir, writeFile } from './support/helpers.js';

const PROMISES = pathToFileURL(ENTRY.replace('index.js', 'promises.js')).href;

/** An error's shape, to compare ours with node's. */
function shape(e: unknown): Record<string, unknown> {
  const { name, message, code, errno, syscall } = e as Error & Record<string, unknown>;
  return { ctor: (e as Error).constructor.name, name, message, code, errno, syscall };
}

/** What `run` rejected with, as `shape` sees it, or `{ resolved: true }`. */
const failure = (run: () => Promise<unknown>) => rejection(run, shape);

/** A worker from an inline ES module, its first message, and its exit. */
function startWorker(source: string): { worker: Worker; message: Promise<any> } {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
  const message = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, message };
}

describe('linux-aio/promises adopt()', () => {
  const scratch = scratchDir();
  const content = patternBytes(100_000, 13);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  // The worker takes the FileHandle it is sent, says what it got, adopts it,
  // and reads 1000 bytes at 4097 (unaligned, for direct handles too).
  const WORKER = `
    import { adopt, stats } from ${JSON.stringify(PROMISES)};
    import { parentPort } from 'node:worker_threads';
    parentPort.once('message', async (fh) => {
      const got = { fd: fh.fd, readChunks: typeof fh.readChunks, ctor: fh.constructor.name };
      const ours = adopt(fh);
      const before = stats();
      const { bytesRead, buffer } = await ours.read(Buffer.alloc(1000), 0, 1000, 4097);
      const after = stats();
      await ours.close();
      parentPort.postMessage({
        got, same: ours === fh, readChunks: typeof ours.readChunks, bytesRead,
        bytes: buffer.toString('base64'), kernel: after.kernel - before.kernel,
        threadpool: after.threadpool - before.threadpool, closed: fh.fd,
      });
    });
  `;

  for (const direct of [false, true]) {
    it(`a ${direct ? 'direct' : 'buffered'} handle sent to a worker arrives as node's plain FileHandle; adopted there, it reads through kernel AIO`, async () => {
      const fh = await aioFs.open(path, 'r', undefined, { direct });
      const { worker, message } = startWorker(WORKER);
      try {
        // As node's own: not while a read holds it.
        const reading = fh.read(Buffer.alloc(10), 0, 10, 0);
        expect(() => worker.postMessage(fh, [fh as never])).to.throw('Cannot transfer FileHandle while in use');
        await reading;
        const fd = fh.fd;
        if (!direct) readFileSync(path); // in the page cache, whatever other tests dropped: no RWF_NOWAIT miss
        worker.postMessage(fh, [fh as never]);
        const out = await message;
        expect(out.got).to.deep.equal({ fd, readChunks: 'undefined', ctor: 'FileHandle' });
        expect(out.same, 'adopt() returns the handle itself').to.equal(true);
        expect(out.readChunks).to.equal('function');
        expect(out.bytesRead).to.equal(1000);
        expect(Buffer.from(out.bytes, 'base64').equals(content.subarray(4097, 5097))).to.equal(true);
        expect(out.kernel, 'read through kernel AIO').to.equal(1);
        expect(out.threadpool).to.equal(0);
        expect(out.closed, 'closing the adopted handle closed it').to.equal(-1);
      } finally {
        await worker.terminate();
      }
      // The sender's handle is closed, exactly as a transferred node handle is.
      const theirs = await nodeFs.open(path);
      const { worker: other, message: received } = startWorker(`
        import { parentPort } from 'node:worker_threads';
        parentPort.once('message', async (fh) => { await fh.close(); parentPort.postMessage('closed'); });
      `);
      try {
        other.postMessage(theirs, [theirs as never]);
        await received;
      } finally {
        await other.terminate();
      }
      expect(fh.fd).to.equal(-1);
      const read = (h: FileHandle) => failure(() => h.read(Buffer.alloc(10), 0, 10, 0));
      expect(await read(fh)).to.deep.equal(await read(theirs));
      expect(await failure(() => fh.close())).to.deep.equal(await failure(() => theirs.close()));
    });
  }

  it("takes node's own FileHandle: the same object, read through kernel AIO, one handle to close", async () => {
    const theirs = await nodeFs.open(path);
    const ours = aioFs.adopt(theirs);
    expect(ours).to.equal(theirs);
    expect(aioFs.adopt(ours), 'adopting again changes nothing').to.equal(ours);
    readFileSync(path);
    const before = aioFs.stats();
    const { bytesRead, buffer } = await ours.read(Buffer.alloc(100), 0, 100, 10);
    expect(aioFs.stats().kernel - before.kernel).to.equal(1);
    expect(bytesRead).to.equal(100);
    expect(buffer.equals(content.subarray(10, 110))).to.equal(true);
    const chunks: Buffer[] = [];
    for await (const chunk of ours.readChunks({ chunkSize: 65536 })) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(content)).to.equal(true);
    await ours.close();
    expect(theirs.fd).to.equal(-1);
  });

  it("takes node's own O_DIRECT handle: then any buffer will do; with O_APPEND too it keeps O_DIRECT's rules, as node's", async () => {
    const copy = (name: string) => writeFile(join(scratch.dir, name), content);
    const direct = aioFs.adopt(await nodeFs.open(copy('direct'), O_RDWR | O_DIRECT));
    try {
      const { bytesRead, buffer } = await direct.read(Buffer.alloc(100), 0, 100, 10);
      expect(bytesRead).to.equal(100);
      expect(buffer.equals(content.subarray(10, 110))).to.equal(true);
    } finally {
      await direct.close();
    }
    // An appending direct fd: the block-aligned writes of emulated direct
    // I/O could not be placed, so ours does what node's does.
    const flags = O_RDWR | O_DIRECT | O_APPEND;
    const [ours, theirs] = [aioFs.adopt(await nodeFs.open(copy('ours'), flags)), await nodeFs.open(copy('theirs'), flags)];
    try {
      const aligned = allocAligned(4096);
      const steps: ((fh: FileHandle) => Promise<unknown>)[] = [
        (fh) => fh.write('unaligned tail'),
        (fh) => fh.write(Buffer.alloc(4096, 7)),
        (fh) => fh.write(aligned, 0, 4096, 0),
        (fh) => fh.read(Buffer.alloc(100), 0, 100, 0),
        (fh) => fh.read(aligned, 0, 4096, 4096).then((r) => r.bytesRead),
      ];
      for (const [i, step] of steps.entries()) {
        expect(await failure(() => step(ours)), `step ${i}`).to.deep.equal(await failure(() => step(theirs)));
      }
    } finally {
      await ours.close();
      await theirs.close();
    }
    const [a, b] = await Promise.all([nodeFs.readFile(join(scratch.dir, 'ours')), nodeFs.readFile(join(scratch.dir, 'theirs'))]);
    expect(a.equals(b), 'the same bytes').to.equal(true);
  });

  it("takes a closed handle: its methods then fail as node's closed handle's do", async () => {
    const [closed, plain] = [await nodeFs.open(path), await nodeFs.open(path)];
    await closed.close();
    await plain.close();
    const ours = aioFs.adopt(closed);
    const calls: [string, (h: FileHandle) => Promise<unknown>][] = [
      ['read', (h) => h.read(Buffer.alloc(4), 0, 4, 0)],
      ['readv', (h) => h.readv([Buffer.alloc(4)], 0)],
      ['readFile', (h) => h.readFile()],
      ['write', (h) => h.write('x', 0)],
      ['sync', (h) => h.sync()],
      ['stat', (h) => h.stat()],
      ['close', (h) => h.close()],
    ];
    for (const [name, call] of calls) {
      expect(await failure(() => call(ours)), name).to.deep.equal(await failure(() => call(plain)));
    }
  });

  it('refuses what is not a FileHandle with ERR_INVALID_ARG_TYPE', async () => {
    const fh = await nodeFs.open(path);
    const notHandles: [unknown, string][] = [
      [undefined, 'Received undefined'],
      [null, 'Received null'],
      [fh.fd, `Received type number (${fh.fd})`],
      [path, 'Received type string'],
      [{ fd: fh.fd }, 'Received an instance of Object'],
      [Object.create(null), 'Received [Object: null prototype] {}'],
      [Buffer.alloc(1), 'Received an instance of Buffer'],
      [Object.create(Object.getPrototypeOf(fh)), 'Received an instance of FileHandle'],
    ];
    try {
      for (const [value, received] of notHandles) {
        const e = (() => {
          try {
            aioFs.adopt(value as FileHandle);
          } catch (error) {
            return error as Error & { code?: string };
          }
          return null;
        })();
        expect(e, received).to.be.instanceOf(TypeError);
        expect(e!.code).to.equal('ERR_INVALID_ARG_TYPE');
        expect(e!.message).to.match(/^The "handle" argument must be an instance of FileHandle\. /);
        expect(e!.message).to.include(received);
      }
    } finally {
      await fh.close();
    }
  });
});
