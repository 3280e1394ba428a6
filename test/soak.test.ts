import { expect } from 'chai';
import { join } from 'node:path';

import { ROOT, runNode } from './support/helpers.js';

interface Snapshot { rss: number; heapTotal: number; external: number; fds: number; aioRings: number }

// A short `npm run soak`: requests with cancels and aborts over contexts
// opened and closed in turn, in a process of its own.
describe('leak soak (short)', function () {
  this.timeout(120000);

  it('200 000 requests over 40 contexts: fds and kernel AIO contexts back to baseline, memory outside the V8 heap bounded', async () => {
    const run = await runNode(`
      const { soak } = await import(${JSON.stringify(join(ROOT, 'dist/benchmarks/soak.js'))});
      console.log(JSON.stringify(await soak({ requests: 200000, cycles: 40 })));
    `, { args: ['--expose-gc'], timeoutMs: 100000 });
    expect(run.timedOut, 'the soak hung').to.equal(false);
    expect(run.code, run.stderr).to.equal(0);
    const out = run.stdout;
    const r = JSON.parse(out) as { requests: number; cycles: number; cancelled: number; start: Snapshot; end: Snapshot };
    const mib = (n: number) => n / (1 << 20);
    expect(r.requests).to.equal(200000);
    expect(r.cancelled, 'cancels and aborts happened').to.be.greaterThan(10000);
    expect(r.end.fds, 'open fds').to.equal(r.start.fds);
    expect(r.end.aioRings, 'kernel AIO contexts held').to.equal(r.start.aioRings);
    expect(mib(r.end.external - r.start.external), 'external memory growth, MiB').to.be.lessThan(4);
    // Under AddressSanitizer (npm run test:asan) freed memory sits in its
    // quarantine and RSS says nothing about leaks.
    if (process.env.LD_PRELOAD?.includes('libasan')) return;
    // V8 sizes its young generation to the allocation rate (heapTotal): not
    // memory linux-aio keeps. What grows outside it would be.
    const outside = mib((r.end.rss - r.end.heapTotal) - (r.start.rss - r.start.heapTotal));
    expect(outside, 'RSS growth outside the V8 heap, MiB').to.be.lessThan(16);
  });
});
