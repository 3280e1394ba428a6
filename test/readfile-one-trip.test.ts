import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import { readFileInOneTrip, readFileInOneTripKnown } from '../lib/readfile-one-trip.js';
import { patternBytes, scratchDir, writeFile } from './support/helpers.js';

// Node 26 reads a small file in one threadpool round trip (open, fstat,
// read and close in one native job), which the drop-in's three cannot beat:
// there readFile(path) is node's; elsewhere the kernel reads the file.
describe('readFile(path) and node\'s one-round-trip readFile', () => {
  const scratch = scratchDir();
  const content = patternBytes(4096, 9);
  const path = writeFile(join(scratch.dir, 'small'), content);
  after(() => scratch.cleanup());

  it('is learned from node\'s own readFile: node 26 does it, 20, 22 and 24 (as tested) do not', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(await readFileInOneTrip(), `node ${process.version}`).to.equal(major >= 26);
    expect(readFileInOneTripKnown()).to.equal(major >= 26);
  });

  it('readFile(path) is node\'s where node takes one round trip, the kernel\'s elsewhere; the bytes are the same', async () => {
    const oneTrip = await readFileInOneTrip();
    readFileSync(path); // in the page cache, whatever other tests dropped: no RWF_NOWAIT miss
    const before = aioFs.stats();
    expect((await aioFs.readFile(path)).equals(content)).to.equal(true);
    const after = aioFs.stats();
    expect({ kernel: after.kernel - before.kernel, threadpool: after.threadpool - before.threadpool })
      .to.deep.equal(oneTrip ? { kernel: 0, threadpool: 1 } : { kernel: 1, threadpool: 0 });
  });

  it('a FileHandle\'s readFile stays the drop-in\'s everywhere', async () => {
    const fh = await aioFs.open(path);
    readFileSync(path);
    try {
      const before = aioFs.stats();
      expect((await fh.readFile()).equals(content)).to.equal(true);
      expect(aioFs.stats().kernel - before.kernel).to.equal(1);
    } finally {
      await fh.close();
    }
  });
});
