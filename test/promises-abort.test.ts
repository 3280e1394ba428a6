import { expect } from 'chai';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import { patternBytes, scratchDir, writeFile } from './support/helpers.js';
import { readFileInOneTrip } from '../lib/readfile-one-trip.js';

type Fs = typeof nodeFs;

/** How `p` settled: the value's length, or the error's shape. */
async function settled(p: Promise<unknown>): Promise<unknown> {
  try {
    return { length: ((await p) as Buffer).length };
  } catch (e) {
    const { name, code, message, cause } = e as Error & { code?: string };
    return { name, code, message, cause };
  }
}

// An AbortSignal aborted while readFile runs: node checks it between its
// reads, so readFile rejects with an AbortError however early its own reads
// have finished.
describe('linux-aio/promises readFile and an AbortSignal aborted while it runs', () => {
  const scratch = scratchDir();
  // In the page cache: the kernel reads it at once.
  const path = writeFile(join(scratch.dir, 'data'), patternBytes(100_000, 12));
  after(() => scratch.cleanup());

  const cases: [string, (fs: Fs, signal: AbortSignal) => Promise<unknown>][] = [
    ['fh.readFile({ signal })', (fs, signal) => readHandle(fs.open(path), signal)],
    ['fh.readFile({ signal }) on a direct handle', (fs, signal) => readHandle(
      fs === nodeFs ? fs.open(path) : aioFs.open(path, 'r', undefined, { direct: true }), signal)],
    ['readFile(path, { signal })', async (fs, signal) => {
      const p = fs.readFile(path, { signal });
      abortNextTick();
      return p;
    }],
  ];

  let abortNextTick: () => void;
  async function readHandle(opening: Promise<FileHandle>, signal: AbortSignal): Promise<unknown> {
    const fh = await opening;
    try {
      const p = fh.readFile({ signal });
      abortNextTick();
      return await p;
    } finally {
      await fh.close();
    }
  }
  for (const [label, run] of cases) {
    it(`${label}, aborted one tick after it starts: an AbortError, as from node's`, async () => {
      const outcomes = [];
      for (const fs of [nodeFs, aioFs as unknown as Fs]) {
        const ac = new AbortController();
        abortNextTick = () => process.nextTick(() => ac.abort());
        outcomes.push(await settled(run(fs, ac.signal)));
      }
      const [node, ours] = outcomes;
      expect(node, 'node rejects').to.include({ name: 'AbortError', code: 'ABORT_ERR' });
      expect(ours).to.deep.equal(node);
    });
  }

  // As node 26 does (it checks the signal after its one-round-trip read);
  // earlier nodes may still resolve when the abort comes during their last
  // read or the close.
  it('readFile(path, { signal }) aborted at any point before it settles rejects with an AbortError', async () => {
    const immediate = () => new Promise((resolve) => setImmediate(resolve));
    /** Runs `p` for `turns` turns of the event loop at most; whether it settled. */
    const runFor = async (p: Promise<unknown>, turns: number) => {
      let done = false;
      p.then(() => { done = true; }, () => { done = true; });
      for (let i = 0; i < turns && !done; i++) await immediate();
      await Promise.resolve();
      return done;
    };
    let abortedInTime = 0;
    for (let round = 0; round < 5; round++) {
      // How many turns a readFile takes here and now; then an abort after each of them.
      const before = aioFs.stats();
      const whole = aioFs.readFile(path);
      let turnsToSettle = 0;
      while (!(await runFor(whole, 1))) turnsToSettle++;
      expect((await whole).length).to.equal(100_000);
      // Where node reads a small file in one round trip, readFile(path) is node's own.
      const reader = await readFileInOneTrip() ? 'threadpool' : 'kernel';
      expect(aioFs.stats()[reader] - before[reader], `${reader} read the file`).to.be.greaterThan(0);
      for (let turns = 0; turns <= turnsToSettle + 1; turns++) {
        const ac = new AbortController();
        const p = aioFs.readFile(path, { signal: ac.signal });
        const early = !(await runFor(p, turns));
        ac.abort();
        const outcome = await settled(p);
        if (early) {
          abortedInTime++;
          expect(outcome, `aborted after ${turns} turns of the loop`).to.include({ name: 'AbortError' });
        }
      }
    }
    expect(abortedInTime).to.be.greaterThan(0);
  });
});
