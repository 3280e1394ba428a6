import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { ReadStream } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import { ENTRY, patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

describe('FileHandle.readChunks', () => {
  const scratch = scratchDir();
  const size = 1_000_003; // not a multiple of any chunk size
  const content = patternBytes(size, 21);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  const collect = async (it: AsyncIterable<Buffer>) => { const parts: Buffer[] = []; for await (const b of it) parts.push(b); return parts; };

  for (const [chunkSize, depth] of [[65536, 4], [4096, 32], [1 << 20, 2], [1000, 1]]) {
    it(`chunkSize ${chunkSize}, depth ${depth}: the whole file, in order`, async () => {
      const fh = await aioFs.open(path);
      try {
        const parts = await collect(fh.readChunks({ chunkSize, depth }));
        expect(Buffer.concat(parts).equals(content)).to.equal(true);
        expect(parts.slice(0, -1).every((p) => p.length === chunkSize)).to.equal(true);
      } finally {
        await fh.close();
      }
    });
  }

  it('procfs files, which hand out a page or so per read, come whole (a short read is not the end)', async () => {
    // /proc/kallsyms: a regular file of size 0, megabytes long, the same on every read.
    const whole = await nodeFs.readFile('/proc/kallsyms');
    expect(whole.length).to.be.above(65536);
    const fh = await aioFs.open('/proc/kallsyms');
    try {
      for (const [chunkSize, depth] of [[65536, 4], [4096, 1]]) {
        expect(Buffer.concat(await collect(fh.readChunks({ chunkSize, depth }))).equals(whole), `${chunkSize} ${depth}`).to.equal(true);
      }
      const range = Buffer.concat(await collect(fh.readChunks({ start: 1000, end: 200_000, chunkSize: 65536 })));
      expect(range.equals(whole.subarray(1000, 200_001))).to.equal(true);
      const stream = fh.createReadStream({ start: 0, autoClose: false });
      const streamed: Buffer[] = [];
      for await (const c of stream) streamed.push(c as Buffer);
      expect(Buffer.concat(streamed).equals(whole)).to.equal(true);
    } finally {
      await fh.close();
    }
  });

  it('start and end (inclusive) pick a range; an end past EOF stops at EOF', async () => {
    const fh = await aioFs.open(path);
    try {
      expect(Buffer.concat(await collect(fh.readChunks({ start: 10, end: 5009, chunkSize: 1024 }))).equals(content.subarray(10, 5010))).to.equal(true);
      expect(Buffer.concat(await collect(fh.readChunks({ start: size - 7, end: size + 100 }))).equals(content.subarray(size - 7))).to.equal(true);
      expect(await collect(fh.readChunks({ start: size + 1 }))).to.deep.equal([]);
    } finally {
      await fh.close();
    }
  });

  it('keeps depth reads in flight through the shared kernel context', async () => {
    const fh = await aioFs.open(path);
    const before = aioFs.stats();
    try {
      await collect(fh.readChunks({ chunkSize: 16384, depth: 8 }));
    } finally {
      await fh.close();
    }
    const after = aioFs.stats();
    // Every chunk went to the kernel. One the page cache had lost (memory
    // pressure, another process's drop_caches) was then redone on the
    // threadpool and counts as a fallback instead: the route is the same.
    const tried = after.kernel - before.kernel + (after.fallbacks - before.fallbacks);
    expect(tried).to.be.at.least(Math.floor(size / 16384));
    expect(after.threadpool - before.threadpool, 'nothing sent straight to the threadpool').to.equal(0);
  });

  it('breaking out stops reading; close() then succeeds', async () => {
    const fh = await aioFs.open(path);
    let n = 0;
    for await (const chunk of fh.readChunks({ chunkSize: 4096, depth: 16 })) {
      expect(chunk.equals(content.subarray(n * 4096, (n + 1) * 4096))).to.equal(true);
      if (++n === 3) break;
    }
    await fh.close();
    expect(fh.fd).to.equal(-1);
  });

  it('an aborted signal rejects with AbortError', async () => {
    const fh = await aioFs.open(path);
    const ac = new AbortController();
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const chunk of fh.readChunks({ chunkSize: 4096, signal: ac.signal })) {
        seen.push(chunk.length);
        if (seen.length === 2) ac.abort(new Error('enough'));
      }
    } catch (e) {
      error = e;
    } finally {
      await fh.close();
    }
    expect(seen).to.have.length(2);
    expect(error).to.include({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((error as Error & { cause: Error }).cause.message).to.equal('enough');
  });

  it('bad options throw Node-coded errors', async () => {
    const fh = await aioFs.open(path);
    try {
      const cases: [unknown, string][] = [
        [{ chunkSize: 0 }, 'ERR_OUT_OF_RANGE'], [{ depth: 1.5 }, 'ERR_OUT_OF_RANGE'], [{ start: -1 }, 'ERR_OUT_OF_RANGE'],
        [{ start: 10, end: 5 }, 'ERR_OUT_OF_RANGE'], [{ chunkSize: '1' }, 'ERR_INVALID_ARG_TYPE'],
        [{ signal: {} }, 'ERR_INVALID_ARG_TYPE'], ['x', 'ERR_INVALID_ARG_TYPE'],
      ];
      for (const [options, code] of cases) {
        expect(() => fh.readChunks(options as never), JSON.stringify(options)).to.throw().with.property('code', code);
      }
    } finally {
      await fh.close();
    }
  });

  it('works on the node-fs backend too', async () => {
    const r = await runNode(`
      import * as fs from ${JSON.stringify(ENTRY.replace('index.js', 'promises.js'))};
      const fh = await fs.open(${JSON.stringify(path)});
      let n = 0; for await (const c of fh.readChunks({ chunkSize: 100000 })) n += c.length;
      await fh.close();
      console.log(fs.backend, n);
    `, { env: { ...process.env, LINUX_AIO_BACKEND: 'node-fs' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(`node-fs ${size}`);
  });
});

describe('FileHandle.createReadStream (read-ahead on readChunks)', () => {
  const scratch = scratchDir();
  const size = 700_001;
  const content = patternBytes(size, 22);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  const drain = async (stream: AsyncIterable<unknown>) => {
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
    return Buffer.concat(parts);
  };

  it('is node\'s ReadStream with the same data, events and autoClose, for start/end ranges', async () => {
    for (const options of [undefined, { start: 5 }, { start: 100, end: 65636 }, { end: 10 }, { start: size + 3 }, { highWaterMark: 1000, start: 0 }]) {
      const [ours, theirs] = [await aioFs.open(path), await nodeFs.open(path)];
      const events: string[][] = [[], []];
      const streams = [ours.createReadStream(options), theirs.createReadStream(options)];
      streams.forEach((st, i) => ['end', 'close'].forEach((e) => st.on(e, () => events[i].push(e))));
      expect(streams[0]).to.be.an.instanceOf(ReadStream);
      const [a, b] = await Promise.all(streams.map(drain));
      await new Promise((r) => setImmediate(r));
      expect(a.equals(b), JSON.stringify(options)).to.equal(true);
      expect(streams[0].bytesRead).to.equal(streams[1].bytesRead);
      expect(events[0]).to.deep.equal(events[1]);
      expect([ours.fd, theirs.fd]).to.deep.equal([-1, -1]);
    }
  });

  it('keeps several reads in flight', async () => {
    const fh = await aioFs.open(path);
    let inFlight = 0;
    let most = 0;
    const read = fh.read.bind(fh);
    fh.read = ((...args: Parameters<typeof fh.read>) => {
      most = Math.max(most, ++inFlight);
      return read(...args).finally(() => inFlight--);
    }) as typeof fh.read;
    const data = await drain(fh.createReadStream({ start: 0, highWaterMark: 16384 }));
    expect(data.equals(content)).to.equal(true);
    expect(most).to.be.at.least(4);
  });

  it('without start, reads from the file position and leaves it where node would', async () => {
    const [ours, theirs] = [await aioFs.open(path), await nodeFs.open(path)];
    try {
      for (const fh of [ours, theirs]) await fh.read(Buffer.alloc(1000), 0, 1000, null);
      const a = await drain(ours.createReadStream({ autoClose: false, end: 50_000 }));
      const b = await drain(theirs.createReadStream({ autoClose: false, end: 50_000 }));
      expect(a.equals(b)).to.equal(true);
      const next = await Promise.all([ours, theirs].map((fh) => fh.read(Buffer.alloc(10), 0, 10, null)));
      expect(next[0].buffer.equals(next[1].buffer)).to.equal(true);
    } finally {
      await ours.close();
      await theirs.close();
    }
  });

  it('destroying mid-stream stops reading and closes the handle', async () => {
    const fh = await aioFs.open(path);
    const stream = fh.createReadStream({ start: 0, highWaterMark: 4096 });
    let seen = 0;
    for await (const chunk of stream) {
      seen += (chunk as Buffer).length;
      if (seen >= 3 * 4096) break;
    }
    await new Promise<void>((r) => stream.once('close', () => r()));
    expect(fh.fd).to.equal(-1);
  });

  it('a FIFO keeps node\'s own reads (a short read is not its end)', async () => {
    const fifo = join(scratch.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = runNode(`
      import { writeFileSync } from 'node:fs';
      writeFileSync(${JSON.stringify(fifo)}, 'a'.repeat(100000));
    `);
    const fh = await aioFs.open(fifo, 'r');
    const data = await drain(fh.createReadStream());
    expect(data.length).to.equal(100000);
    expect((await writer).code).to.equal(0);
  });
});
