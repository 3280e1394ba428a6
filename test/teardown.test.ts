import { expect } from 'chai';
import { join } from 'node:path';

import { AIO_RINGS, ENTRY, patternBytes, preloadEnv, runNode, scratchDir, syscallShim, writeFile } from './support/helpers.js';

// io_destroy waits for an RCU grace period (tens of ms on a VM). A context
// is destroyed by close(), or, never closed, when it is collected or when
// the environment ends: none of these may run io_destroy on the event
// loop's thread.
// A preloaded syscall() reports, as every io_destroy returns, whether it ran on
// the main thread (whose thread id is the process id), so the tests count
// rather than time. benchmarks/teardown.ts times the same cases.
describe('io_destroy off the event loop', () => {
  const scratch = scratchDir();
  const data = writeFile(join(scratch.dir, 'data'), patternBytes(1 << 20, 9));
  let shim: string | null = null;
  before(() => {
    shim = syscallShim(scratch.dir, 'where-destroyed', `
      if (n == SYS_io_destroy) {
        long r = real(n, a[0]);
        const char* m = real(SYS_gettid) == getpid() ? "io_destroy on the main thread\\n" : "io_destroy elsewhere\\n";
        write(2, m, strlen(m));
        return r;
      }`, '#include <string.h>\n#include <unistd.h>');
  });
  after(() => scratch.cleanup());

  function where(stderr: string): { main: number; elsewhere: number; other: string } {
    const lines = stderr.split('\n').filter(Boolean);
    return {
      main: lines.filter((l) => l === 'io_destroy on the main thread').length,
      elsewhere: lines.filter((l) => l === 'io_destroy elsewhere').length,
      other: lines.filter((l) => !l.startsWith('io_destroy ')).join('\n'),
    };
  }

  it('close(): io_destroy off the main thread, and close() resolves once it has returned', async function () {
    if (shim === null) this.skip();
    const r = await runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { aioRingsHeld } from ${JSON.stringify(AIO_RINGS)};
      const before = aioRingsHeld();
      const contexts = Array.from({ length: 20 }, () => new AioContext({ maxEvents: 4 }));
      await Promise.all(contexts.map((c) => c.close()));
      process.stderr.write('closed\\n');
      console.log(aioRingsHeld() - before);
    `, { env: preloadEnv(shim!), timeoutMs: 30000 });
    expect(r.timedOut).to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('0');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.indexOf('closed'), 'every io_destroy returned before close() resolved').to.equal(20);
    expect(where(r.stderr)).to.deep.equal({ main: 0, elsewhere: 20, other: 'closed' });
  });

  it('200 contexts collected by GC: io_destroy off the main thread for each, none left held', async function () {
    if (shim === null) this.skip();
    const r = await runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { aioRingsHeld } from ${JSON.stringify(AIO_RINGS)};
      import { openSync } from 'node:fs';
      const fd = openSync(${JSON.stringify(data)}, 'r');
      const before = aioRingsHeld();
      await (async () => {
        const contexts = Array.from({ length: 200 }, () => new AioContext({ maxEvents: 4 }));
        // Used, then idle: only the finalizer can destroy them.
        await Promise.all(contexts.map((c, i) => c.read(fd, Buffer.alloc(512), i * 512)));
      })();
      const held = aioRingsHeld() - before;
      for (let i = 0; i < 100 && aioRingsHeld() > before; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(JSON.stringify({ held, after: aioRingsHeld() - before }));
    `, { args: ['--expose-gc'], env: preloadEnv(shim!), timeoutMs: 30000 });
    expect(r.timedOut).to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ held: 200, after: 0 });
    expect(where(r.stderr)).to.deep.equal({ main: 0, elsewhere: 200, other: '' });
  });

  // Requests in flight hold the loop open (Idle contexts never hold the
  // process open, busy ones do), so the main thread's
  // environment only ends with idle contexts; workers end with requests in
  // flight (test/workers.test.ts).
  it('exit with 200 used contexts open: each destroyed off the main thread as the process ends', async function () {
    if (shim === null) this.skip();
    const r = await runNode(`
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import { openSync } from 'node:fs';
      const fd = openSync(${JSON.stringify(data)}, 'r');
      globalThis.keep = Array.from({ length: 200 }, () => new AioContext({ maxEvents: 4 }));
      const done = await Promise.all(keep.map((c, i) => c.read(fd, Buffer.alloc(512), i * 512)));
      console.log(done.filter((c) => c.res === 512).length);
    `, { env: preloadEnv(shim!), timeoutMs: 30000 });
    expect(r.timedOut).to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('200');
    expect(where(r.stderr)).to.deep.equal({ main: 0, elsewhere: 200, other: '' });
  });
});
