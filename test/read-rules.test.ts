import { expect } from 'chai';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { readArgs } from '../lib/handle-args.js';
import * as aioFs from '../lib/promises.js';
import { learnReadRules } from '../lib/read-rules.js';
import { patternBytes, runNode, scratchDir, writeFile } from './support/helpers.js';

// The rules of FileHandle.read that linux-aio learns from node's own read(),
// checked against what node's read really does on the Node running the tests.
describe('read rules learned from node\'s own read()', () => {
  const scratch = scratchDir();
  const content = patternBytes(8192, 11);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  const nodeRead = async (fh: FileHandle) => Object.getPrototypeOf(fh).read as (...args: unknown[]) => Promise<unknown>;

  /** Whether node's read() of 1 byte at `position` throws, and if not, the byte it read. */
  async function nodeReadsAt(position: unknown): Promise<number | 'throws'> {
    const fh = await nodeFs.open(path, 'r');
    try {
      await fh.read(Buffer.alloc(2), 0, 2, null); // the current position is 2
      const { buffer } = await fh.read(Buffer.alloc(1), 0, 1, position as never);
      return buffer[0];
    } catch {
      return 'throws';
    } finally {
      await fh.close();
    }
  }

  /** Whether node survives read() with a length of 1.5 (it truncates) or its binding aborts. */
  async function nodeTruncatesLength(): Promise<boolean> {
    const r = await runNode(`
      import { open } from 'node:fs/promises';
      const fh = await open(${JSON.stringify(path)});
      const { bytesRead } = await fh.read(Buffer.alloc(4), 0, 1.5, 0);
      console.log(bytesRead);
    `);
    if (r.signal === null) {
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim(), 'node read a whole byte').to.equal('1');
      return true;
    }
    expect(r.signal, 'node\'s binding refused the length').to.equal('SIGABRT');
    return false;
  }

  it('checks positions, reads at bigints and truncates lengths exactly where this node does', async () => {
    expect(content[2], 'the bytes at 2 and 5 tell the positions apart').to.not.equal(content[5]);
    const fh = await nodeFs.open(path, 'r');
    let rules;
    try {
      rules = learnReadRules(await nodeRead(fh), fh);
      expect(fh.fd, 'the probe leaves the handle open').to.be.greaterThan(-1);
      expect((await fh.read(Buffer.alloc(1), 0, 1, null)).buffer[0], 'and its position alone').to.equal(content[0]);
    } finally {
      await fh.close();
    }
    expect(rules).to.not.equal(null);
    const refusesNegative = (await nodeReadsAt(-2)) === 'throws';
    expect(rules!.checksPosition, 'refuses -2').to.equal(refusesNegative);
    expect(await nodeReadsAt(5n), 'a bigint position').to.equal(content[rules!.checksPosition ? 5 : 2]);
    expect(await nodeReadsAt(1.5), 'a fractional position').to.equal(rules!.checksPosition ? 'throws' : content[2]);
    expect(rules!.truncatesLength, 'truncates a length of 1.5').to.equal(await nodeTruncatesLength());
  });

  it('a closed handle teaches the same rules', async () => {
    const open = await nodeFs.open(path, 'r');
    const closed = await nodeFs.open(path, 'r');
    await closed.close();
    try {
      expect(learnReadRules(await nodeRead(closed), closed)).to.deep.equal(learnReadRules(await nodeRead(open), open));
    } finally {
      await open.close();
    }
  });

  it('a direct handle takes a fractional length as this node does', async () => {
    if (!(await nodeTruncatesLength())) {
      // node's binding aborts the process on it: the call is node's to make.
      const fh = await nodeFs.open(path, 'r');
      try {
        const rules = learnReadRules(await nodeRead(fh), fh);
        for (const length of [1.5, 9.99, 0.5]) expect(readArgs(Buffer.alloc(10), 0, length, 7, rules), String(length)).to.equal(null);
      } finally {
        await fh.close();
      }
      return;
    }
    const [ours, theirs] = [await aioFs.open(path, 'r', undefined, { direct: true }), await nodeFs.open(path, 'r')];
    try {
      for (const length of [1.5, 9.99, 0.5, 2 ** 32 + 3]) {
        const [a, b] = await Promise.all([ours, theirs].map((fh) => fh.read(Buffer.alloc(10), 0, length, 7)));
        expect(a.bytesRead, String(length)).to.equal(b.bytesRead);
        expect(a.buffer.equals(b.buffer), String(length)).to.equal(true);
      }
    } finally {
      await ours.close();
      await theirs.close();
    }
  });
});
