import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ENTRY, ROOT, patternBytes, runChild, runNode, scratchDir, writeFile } from './support/helpers.js';

const AIO_MAX_NR = '/proc/sys/fs/aio-max-nr';

// What a library that hands work to io_submit must never do: hang the
// process on a file that has no asynchronous path, or fail without saying
// how to fix it when the kernel's limits are reached. Each case runs in a
// child process with a timeout, so a hang fails the test instead of the run.
describe('limits', () => {
  const scratch = scratchDir();
  const data = writeFile(join(scratch.dir, 'data'), patternBytes(65536, 3));
  after(() => scratch.cleanup());

  const prelude = `
    import { AioContext } from ${JSON.stringify(ENTRY)};
    import { openSync, writeSync, constants } from 'node:fs';
    import { execFileSync } from 'node:child_process';
    const show = (c) => c.res < 0 ? c.error.code : c.res;
  `;

  it('a read of an empty blocking FIFO settles at once instead of blocking io_submit for ever', async () => {
    const r = await runNode(`${prelude}
      const path = ${JSON.stringify(scratch.dir)} + '/fifo-' + process.pid;
      execFileSync('mkfifo', [path]);
      const fd = openSync(path, 'r+'); // blocking; O_RDWR so open does not wait for a writer
      const ctx = new AioContext();
      const c = await ctx.read(fd, Buffer.alloc(16), 0);
      const w = await ctx.write(fd, Buffer.from('x'), 0);
      await ctx.close();
      console.log(JSON.stringify({ read: show(c), write: show(w) }));
    `, { timeoutMs: 10000 });
    expect(r.timedOut, 'io_submit blocked the process').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { read: string; write: string | number };
    // RWF_NOWAIT: EAGAIN where the kernel has a no-wait path for FIFOs,
    // EOPNOTSUPP where it has none (Linux 6.18 for FIFOs opened by path).
    expect(['EAGAIN', 'EOPNOTSUPP', 'ENOTSUP']).to.include(out.read);
    expect([1, 'EOPNOTSUPP', 'ENOTSUP']).to.include(out.write);
  });

  it('a read of an empty blocking pipe completes with EAGAIN; polled until readable, it reads the data', async function () {
    this.timeout(20000);
    // Node's stdin here is the read end of a shell pipe: a pipe(2), blocking,
    // whose writer says something a second later.
    const source = `${prelude}
      const ctx = new AioContext();
      const empty = await ctx.read(0, Buffer.alloc(16), 0);
      await ctx.poll(0, 1 /* POLLIN */);
      const buf = Buffer.alloc(16);
      const later = await ctx.read(0, buf, 0);
      await ctx.close();
      console.log(JSON.stringify({ empty: show(empty), later: buf.subarray(0, Math.max(0, later.res)).toString() }));
    `;
    const r = await runChild('sh', ['-c', '(sleep 1; echo hello) | "$NODE" --input-type=module -e "$SOURCE"'],
      { timeoutMs: 10000, env: { ...process.env, NODE: process.execPath, SOURCE: source } });
    expect(r.timedOut, 'io_submit blocked the process').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ empty: 'EAGAIN', later: 'hello\n' });
  });

  describe('fs.aio-max-nr exhausted', function () {
    let saved: string | null = null;
    before(function () {
      try {
        saved = readFileSync(AIO_MAX_NR, 'utf8');
        writeFileSync(AIO_MAX_NR, saved); // root can write it: the case can run
      } catch {
        saved = null;
        this.skip();
      }
    });
    afterEach(() => { if (saved !== null) writeFileSync(AIO_MAX_NR, saved); });

    it('new AioContext() throws ERR_AIO_UNAVAILABLE naming the fix; the drop-in works on the threadpool', async () => {
      // Leave room for nothing more: every io_setup fails with EAGAIN.
      writeFileSync(AIO_MAX_NR, String(Number(readFileSync('/proc/sys/fs/aio-nr', 'utf8'))));
      const r = await runNode(`${prelude}
        import * as fs from ${JSON.stringify(join(ROOT, 'dist/lib/promises.js'))};
        let error;
        try { new AioContext({ maxEvents: 64 }); } catch (e) { error = e; }
        const fh = await fs.open(${JSON.stringify(data)}, 'r');
        const { bytesRead } = await fh.read(Buffer.alloc(100), 0, 100, 10);
        await fh.close();
        const text = await fs.readFile(${JSON.stringify(data)});
        console.log(JSON.stringify({
          code: error?.code, fix: /aio-max-nr/.test(error?.message ?? ''),
          bytesRead, readFile: text.length, backend: fs.backend, stats: fs.stats().backend,
        }));
      `, { timeoutMs: 20000 });
      expect(r.timedOut).to.equal(false);
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({
        code: 'ERR_AIO_UNAVAILABLE', fix: true, bytesRead: 100, readFile: 65536, backend: 'node-fs', stats: 'node-fs',
      });
    });
  });
});
