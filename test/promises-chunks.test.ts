import { expect } from 'chai';
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
    expect(after.kernel - before.kernel).to.be.at.least(Math.floor(size / 16384));
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
