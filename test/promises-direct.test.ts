import { expect } from 'chai';
import { fstatSync, readFileSync, statSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { allocAligned } from '../lib/index.js';
import * as aioFs from '../lib/promises.js';
import { O_DIRECT, O_RDWR, patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

const PROMISES = new URL('../lib/promises.js', import.meta.url).href;

/** The open flags of `fd`, as the kernel has them (octal in /proc). */
function fdFlags(fd: number): number {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:'))!;
  return parseInt(line.split(/\s+/)[1], 8);
}

describe('linux-aio/promises direct I/O', () => {
  const scratch = scratchDir();
  after(() => scratch.cleanup());
  let n = 0;
  const fresh = (content: Uint8Array = Buffer.alloc(0)) => writeFile(join(scratch.dir, `f${n++}`), content);

  it('{ direct: true } opens with O_DIRECT; unaligned buffers, offsets and lengths just work', async () => {
    const content = patternBytes(10_000, 1);
    const path = fresh(content);
    const fh = await aioFs.open(path, 'r+', 0o666, { direct: true });
    try {
      expect(fdFlags(fh.fd) & O_DIRECT).to.equal(O_DIRECT);
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(777), 3, 700, 1234);
      expect(bytesRead).to.equal(700);
      expect(buffer.subarray(3, 703).equals(content.subarray(1234, 1934))).to.equal(true);
      expect((await fh.write('unaligned!', 4095)).bytesWritten).to.equal(10);
      expect((await fh.read(Buffer.alloc(5000), 0, 5000, 9000)).bytesRead).to.equal(1000);
    } finally {
      await fh.close();
    }
    const expected = Buffer.from(content);
    expected.write('unaligned!', 4095);
    expect(readFileSync(path).equals(expected)).to.equal(true);
  });

  it('O_DIRECT in numeric flags gives the same direct handle', async () => {
    const path = fresh(patternBytes(4096, 2));
    const fh = await aioFs.open(path, O_RDWR | O_DIRECT);
    try {
      expect((await fh.read(Buffer.alloc(10), 0, 10, 1)).buffer.equals(patternBytes(4096, 2).subarray(1, 11))).to.equal(true);
    } finally {
      await fh.close();
    }
  });

  it('aligned requests go to the kernel as they are; unaligned ones through a bounce buffer', async () => {
    const content = patternBytes(1 << 16, 3);
    const path = fresh(content);
    const fh = await aioFs.open(path, 'r', undefined, { direct: true });
    try {
      const before = aioFs.stats();
      const aligned = allocAligned(8192);
      await fh.read(aligned, 0, 8192, 4096);
      const middle = aioFs.stats();
      expect(middle.bounced - before.bounced, 'aligned read').to.equal(0);
      expect(middle.kernel - before.kernel).to.equal(1);
      expect(aligned.equals(content.subarray(4096, 12288))).to.equal(true);
      await fh.read(Buffer.alloc(100), 0, 100, 10);
      expect(aioFs.stats().bounced - middle.bounced, 'unaligned read').to.equal(1);
    } finally {
      await fh.close();
    }
  });

  it('a write past EOF leaves the size a plain write would (not a whole block)', async () => {
    const path = fresh(patternBytes(1000, 4));
    const fh = await aioFs.open(path, 'r+', undefined, { direct: true });
    try {
      await fh.write(Buffer.from('xyz'), 0, 3, 5000);
      expect((await fh.stat()).size).to.equal(5003);
      await fh.write(Buffer.from('in place'), 0, 8, 10);
      expect((await fh.stat()).size).to.equal(5003);
    } finally {
      await fh.close();
    }
    const data = readFileSync(path);
    expect(data.subarray(1000, 5000).every((b) => b === 0)).to.equal(true);
    expect(data.subarray(5000).toString()).to.equal('xyz');
    expect(data.subarray(10, 18).toString()).to.equal('in place');
  });

  it('concurrent unaligned writes sharing blocks lose nothing (read-modify-write is ordered)', async () => {
    const path = fresh(Buffer.alloc(0));
    const fh = await aioFs.open(path, 'r+', undefined, { direct: true });
    const expected = Buffer.alloc(64 * 100);
    try {
      const writes = [];
      for (let i = 0; i < 64; i++) {
        const piece = patternBytes(100, 100 + i);
        piece.copy(expected, i * 100);
        writes.push(fh.write(piece, 0, 100, i * 100));
      }
      const results = await Promise.all(writes);
      expect(results.every((r) => r.bytesWritten === 100)).to.equal(true);
      // Reads overlapping those writes see them whole.
      const reads = await Promise.all([0, 1, 2, 3].map((k) => fh.read(Buffer.alloc(1600), 0, 1600, k * 1600)));
      expect(Buffer.concat(reads.map((r) => r.buffer)).equals(expected)).to.equal(true);
    } finally {
      await fh.close();
    }
    expect(readFileSync(path).equals(expected)).to.equal(true);
  });

  it("'a' appends every write, concurrent ones included, and emulates O_APPEND without it on the fd", async () => {
    const path = fresh(Buffer.from('head;'));
    const fh = await aioFs.open(path, 'a', undefined, { direct: true });
    try {
      expect(fdFlags(fh.fd) & O_DIRECT).to.equal(O_DIRECT);
      const records = Array.from({ length: 40 }, (_, i) => `record-${i};`);
      await Promise.all(records.map((r, i) => (i % 2 === 0 ? fh.write(r) : fh.write(Buffer.from(r), 0, r.length, 0))));
      await fh.appendFile('tail');
      const text = readFileSync(path, 'utf8');
      expect(text.startsWith('head;')).to.equal(true);
      expect(text.endsWith('tail')).to.equal(true);
      expect(text.length).to.equal(5 + records.join('').length + 4);
      for (const r of records) expect(text.split(r).length - 1, r).to.equal(1);
    } finally {
      await fh.close();
    }
  });

  it('odd read positions (bigints, -1n, -2, 1.5, NaN, strings) and zero-length reads do what this node\'s read does', async () => {
    const content = patternBytes(8192, 5);
    const positions: unknown[] = [4097n, 0n, -1n, -2n, -1, -2, 1.5, NaN, Infinity, 2 ** 53, '5', {}, null, 100];
    // What a read did: its result or error, then where the file position was left.
    const outcome = async (fh: FileHandle, read: () => Promise<{ bytesRead: number; buffer: ArrayBufferView }>) => {
      let result: unknown;
      try {
        const r = await read();
        result = [r.bytesRead, Buffer.from(r.buffer.buffer, r.buffer.byteOffset, r.buffer.byteLength).toString('hex')];
      } catch (e) {
        const { name, code, message } = e as Error & { code?: string };
        result = { name, code, message };
      }
      return [result, (await fh.read(Buffer.alloc(1), 0, 1, null)).buffer[0]];
    };
    const handles = [
      await nodeFs.open(fresh(content), 'r'),
      await aioFs.open(fresh(content), 'r', undefined, { direct: true }),
      await aioFs.open(fresh(content), 'r'),
    ];
    try {
      for (const fh of handles) await fh.read(Buffer.alloc(3), 0, 3, null); // the current position is 3
      for (const position of positions) {
        const forms: [string, (fh: FileHandle) => Promise<{ bytesRead: number; buffer: ArrayBufferView }>][] = [
          ['(buffer, 0, 10, position)', (fh) => fh.read(Buffer.alloc(10), 0, 10, position as never)],
          ['(buffer, { position })', (fh) => fh.read(Buffer.alloc(10), { position: position as never })],
          ['({ buffer, position })', (fh) => fh.read({ buffer: Buffer.alloc(10), position: position as never })],
          ['(buffer, 0, 0, position)', (fh) => fh.read(Buffer.alloc(10), 0, 0, position as never)],
        ];
        for (const [form, read] of forms) {
          const [node, direct, buffered] = await Promise.all(handles.map((fh) => outcome(fh, () => read(fh))));
          const what = `read${form} with position ${typeof position === 'bigint' ? `${position}n` : String(position)}`;
          expect(direct, `direct ${what}`).to.deep.equal(node);
          expect(buffered, `buffered ${what}`).to.deep.equal(node);
        }
      }
    } finally {
      await Promise.all(handles.map((fh) => fh.close()));
    }
  });

  it('two direct handles of one file share its locks: concurrent writes sharing blocks lose nothing', async () => {
    const path = fresh(Buffer.alloc(0));
    const handles = [await aioFs.open(path, 'r+', undefined, { direct: true }), await aioFs.open(path, 'r+', undefined, { direct: true })];
    const expected = Buffer.alloc(64 * 100);
    try {
      await Promise.all(Array.from({ length: 64 }, (_, i) => {
        const piece = patternBytes(100, 200 + i);
        piece.copy(expected, i * 100);
        return handles[i % 2].write(piece, 0, 100, i * 100);
      }));
    } finally {
      await Promise.all(handles.map((fh) => fh.close()));
    }
    expect(readFileSync(path).equals(expected)).to.equal(true);
  });

  it('a write issued while another one extends the file still leaves the true size', async () => {
    for (let round = 0; round < 5; round++) {
      const path = fresh(Buffer.alloc(5000, 1));
      const fh = await aioFs.open(path, 'r+', undefined, { direct: true });
      const big = Buffer.alloc(3 << 20, 2);
      const extending = fh.write(big, 0, big.length, 4200);
      // Issued at once, and again once the first has grown the file to whole blocks.
      const small = [fh.write('tail', 4200 + big.length + 100)];
      const trueEnd = 4200 + big.length;
      for (let i = 0; i < 2000 && small.length < 2; i++) {
        if (fstatSync(fh.fd).size > trueEnd) small.push(fh.write('more', trueEnd + 200));
        else await new Promise((r) => setImmediate(r));
      }
      await Promise.all([extending, ...small]);
      const size = (await fh.stat()).size;
      await fh.close();
      expect(size).to.equal(trueEnd + (small.length === 2 ? 204 : 104));
    }
  });

  it('an empty write on an appending handle leaves the file position alone, as node does', async () => {
    const content = patternBytes(5000, 9);
    const [ours, theirs] = [await aioFs.open(fresh(content), 'a+', undefined, { direct: true }), await nodeFs.open(fresh(content), 'a+')];
    try {
      const after = [];
      for (const fh of [ours, theirs]) {
        await fh.write('');
        await fh.writev([]);
        after.push((await fh.read(Buffer.alloc(10), 0, 10, null)).buffer.toString('hex'));
      }
      expect(after[0]).to.equal(after[1]);
    } finally {
      await ours.close();
      await theirs.close();
    }
  });

  it('readv fills at most IOV_MAX buffers, as libuv does', async () => {
    const content = patternBytes(5000, 10);
    const [ours, theirs] = [await aioFs.open(fresh(content), 'r', undefined, { direct: true }), await nodeFs.open(fresh(content), 'r')];
    try {
      const [a, b] = await Promise.all([ours, theirs].map((fh) => fh.readv(Array.from({ length: 2000 }, () => Buffer.alloc(1)), 0)));
      expect(a.bytesRead).to.equal(b.bytesRead);
    } finally {
      await ours.close();
      await theirs.close();
    }
  });

  it('readFile, writeFile (strings, buffers, iterables) and module-level writeFile/appendFile on a direct handle', async () => {
    const path = fresh(Buffer.alloc(0));
    const fh = await aioFs.open(path, 'w+', undefined, { direct: true });
    try {
      await fh.writeFile('héllo ');
      await fh.writeFile(['it', Buffer.from('er'), 'able '] as never);
      await fh.writeFile((async function* () { yield 'async '; yield Buffer.from('iterable'); })() as never);
      await aioFs.appendFile(fh, '!');
      await aioFs.writeFile(fh, patternBytes(70_000, 6));
      expect(await aioFs.readFile(fh)).to.have.length(0); // from the current position, at EOF
      expect((await fh.stat()).size).to.equal(Buffer.byteLength('héllo iterable async iterable!') + 70_000);
      await fh.read(Buffer.alloc(1), 0, 1, null); // node would read at EOF: 0 bytes, position unchanged
      const whole = readFileSync(path);
      const fromStart = await aioFs.open(path, 'r', undefined, { direct: true });
      try {
        expect((await fromStart.readFile()).equals(whole)).to.equal(true);
        expect(await fromStart.readFile('utf8')).to.equal('');
      } finally {
        await fromStart.close();
      }
      expect(whole.subarray(0, 31).toString()).to.equal('héllo iterable async iterable!');
      expect(whole.subarray(31).equals(patternBytes(70_000, 6))).to.equal(true);
    } finally {
      await fh.close();
    }
  });

  it('bad options are refused as node refuses bad arguments; open errors are node\'s', async () => {
    const path = fresh(Buffer.from('x'));
    const refused = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e) as Promise<Error & { code?: string }>;
    expect(await refused(aioFs.open(path, 'r', undefined, 'direct' as never))).to.include({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(await refused(aioFs.open(path, 'r', undefined, { direct: 1 } as never))).to.include({ code: 'ERR_INVALID_ARG_TYPE' });
    const missing = join(scratch.dir, 'missing');
    const [ours, theirs] = await Promise.all([
      aioFs.open(missing, 'r', undefined, { direct: true }).catch((e: unknown) => e),
      nodeFs.open(missing, O_DIRECT).catch((e: unknown) => e),
    ]) as (Error & { code: string; message: string })[];
    expect(ours.message).to.equal(theirs.message);
    expect(ours.code).to.equal('ENOENT');
  });

  it('createReadStream on a direct handle streams the file', async () => {
    const content = patternBytes(300_001, 7);
    const fh = await aioFs.open(fresh(content), 'r', undefined, { direct: true });
    const parts: Buffer[] = [];
    for await (const chunk of fh.createReadStream({ start: 1 })) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts).equals(content.subarray(1))).to.equal(true);
    expect(fh.fd).to.equal(-1); // autoClose, as node does
  });

  it('works on the node-fs backend too (threadpool reads and writes of aligned bounce buffers)', async () => {
    const path = fresh(patternBytes(5000, 8));
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      const fh = await fs.open(${JSON.stringify(path)}, 'r+', 0o666, { direct: true });
      await fh.write('abc', 4095);
      const { buffer } = await fh.read(Buffer.alloc(5), 0, 5, 4094);
      await fh.close();
      console.log(JSON.stringify({ backend: fs.backend, got: buffer.toString('latin1').slice(1, 4), kernel: fs.stats().kernel }));
    `, { env: { ...process.env, LINUX_AIO_BACKEND: 'node-fs' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ backend: 'node-fs', got: 'abc', kernel: 0 });
    expect(statSync(path).size).to.equal(5000);
  });
});
