import { expect } from 'chai';
import { constants as fsConstants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import { patternBytes, scratchDir, writeFile } from './support/helpers.js';

type Fs = typeof nodeFs;

// readFile's `options.buffer` (read into the caller's memory): of the
// supported nodes, 24 and 26 take it and 20 and 22 ignore it. Ours must do
// what the running node does.
describe('linux-aio/promises readFile and options.buffer, as this node takes it', () => {
  const scratch = scratchDir();
  const content = patternBytes(100_000, 14);
  const path = writeFile(join(scratch.dir, 'data'), content);
  after(() => scratch.cleanup());

  /** What readFile gave: bytes, and whether they are the given buffer's memory; or the error. */
  async function outcome(run: (memory: Uint8Array) => Promise<unknown>): Promise<unknown> {
    const memory = new Uint8Array(200_000);
    try {
      const r = await run(memory);
      if (typeof r === 'string') return { string: r };
      const b = r as Buffer;
      return { bytes: b.toString('base64'), inGivenMemory: b.buffer === memory.buffer };
    } catch (e) {
      const { name, code, message } = e as Error & { code?: string };
      return { name, code, message };
    }
  }

  const options: [string, (memory: Uint8Array) => object][] = [
    ['a big enough Uint8Array', (memory) => ({ buffer: memory })],
    ['one with an encoding', (memory) => ({ buffer: memory, encoding: 'latin1' })],
    ['a function of the size', (memory) => ({ buffer: (size: number) => memory.subarray(0, size) })],
    ['one too small', () => ({ buffer: Buffer.alloc(10) })],
    ['a string', () => ({ buffer: 'x' })],
  ];
  const calls: [string, (fs: Fs, o: object) => Promise<unknown>][] = [
    ['readFile(path, options)', (fs, o) => fs.readFile(path, o)],
    ['fh.readFile(options)', async (fs, o) => {
      const fh = await fs.open(path);
      try {
        return await fh.readFile(o as never);
      } finally {
        await fh.close();
      }
    }],
  ];

  for (const [call, run] of calls) {
    for (const [label, make] of options) {
      it(`${call} with ${label}`, async () => {
        const node = await outcome((memory) => run(nodeFs, make(memory)));
        expect(await outcome((memory) => run(aioFs as unknown as Fs, make(memory)))).to.deep.equal(node);
      });
    }
  }

  it('a direct handle: the whole file where node ignores the option, node\'s own direct read where it takes it', async () => {
    const node = await outcome((memory) => nodeFs.readFile(path, { buffer: memory } as never));
    const ours = await aioFs.open(path, 'r', undefined, { direct: true });
    // Where node reads into the given memory, the call is node's, and gives
    // what node's own O_DIRECT handle gives.
    const takes = (node as { inGivenMemory?: boolean }).inGivenMemory === true;
    const theirs = takes ? await nodeFs.open(path, fsConstants.O_RDONLY | fsConstants.O_DIRECT) : null;
    try {
      const expected = theirs === null ? node : await outcome((memory) => theirs.readFile({ buffer: memory } as never));
      expect(await outcome((memory) => ours.readFile({ buffer: memory } as never))).to.deep.equal(expected);
    } finally {
      await ours.close();
      await theirs?.close();
    }
  });
});
