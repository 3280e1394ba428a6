import { expect } from 'chai';

import { offsets } from '../benchmarks/support.js';

// The benchmarks' random reads must cover the whole file, or a cached run
// could be served from a few hot pages. A run of any workload takes its
// offsets from offsets(1 << 20, blocks, seed) in turn (wrapping past the end).
describe('benchmark offsets', () => {
  const BLOCKS = (256 << 20) / 4096; // the full run's 256 MiB file
  for (const [workload, seed] of [['cached reads', 0x5eed], ['batch reads', 0xba7c4], ['O_DIRECT reads', 0xd1ec7]] as const) {
    it(`${workload}: the first 200,000 reads visit over 95% of the file's blocks, all of them in range`, () => {
      const drawn = offsets(1 << 20, BLOCKS, seed).subarray(0, 200_000);
      const seen = new Set(drawn);
      expect(Math.max(...seen)).to.be.below(BLOCKS);
      // 200,000 uniform draws over 65,536 blocks leave e^-3.05 (4.7%) unvisited.
      expect(seen.size / BLOCKS).to.be.above(0.95);
    });
  }
});
