import { expect } from 'chai';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { aioUnavailable, errnoError, type ErrnoError } from '../lib/errors.js';
import { RETRY_MS } from '../lib/shared-context.js';

import {
  ENTRY, ROOT, patternBytes, preloadEnv, runChild, runNode, scratchDir, syscallShim, writeFile,
} from './support/helpers.js';

const ERRNO = osConstants.errno;

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
    // io_setup says EAGAIN in the child alone (a syscall shim): lowering the
    // real fs.aio-max-nr would fail every io_setup on the machine meanwhile,
    // those of test runs in other worktrees included.
    let lib: string | null = null;
    before(function () {
      lib = syscallShim(scratch.dir, 'eagain', 'if (n == SYS_io_setup) { errno = EAGAIN; return -1; }');
      if (lib === null) this.skip();
    });

    it('new AioContext() throws ERR_AIO_UNAVAILABLE naming the fix; the drop-in works on the threadpool', async () => {
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
      `, { timeoutMs: 20000, env: preloadEnv(lib!) });
      expect(r.timedOut).to.equal(false);
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({
        code: 'ERR_AIO_UNAVAILABLE', fix: true, bytesRead: 100, readFile: 65536, backend: 'node-fs', stats: 'node-fs',
      });
    });
  });
});

// Setting up a context can fail at io_setup, at the eventfd that signals
// completions, or in libuv's epoll watch of it: the error names the call and
// the fix that applies. The drop-in then serves from node:fs; where the cause
// can pass (fds, memory, fs.aio-max-nr freed by others) it tries again at
// most once per RETRY_MS, on a later use, and goes back to kernel AIO.
describe('setup failures: the call, the fix, and the drop-in\'s way back', () => {
  const scratch = scratchDir();
  const data = writeFile(join(scratch.dir, 'data'), Buffer.from('0123456789abcdef'));
  after(() => scratch.cleanup());
  const PROMISES = join(ROOT, 'dist/lib/promises.js');
  const sleepPastRetry = `await new Promise((resolve) => setTimeout(resolve, ${RETRY_MS + 100}));`;

  const unavailable = (errno: number, call: string) =>
    aioUnavailable(errnoError(errno, call), 256) as Error & { code: string; cause: ErrnoError };
  const wording: [call: string, code: keyof typeof ERRNO, says: RegExp][] = [
    ['eventfd', 'EMFILE', /^Kernel AIO is unavailable: eventfd failed with EMFILE: .*open files.*`ulimit -n`/],
    ['eventfd', 'ENFILE', /^Kernel AIO is unavailable: eventfd failed with ENFILE: .*system-wide.*fs\.file-max/],
    ['eventfd', 'ENOMEM', /^Kernel AIO is unavailable: eventfd failed with ENOMEM: .*out of memory/],
    ['io_setup', 'EMFILE', /^Kernel AIO is unavailable: io_setup\(256\) failed with EMFILE: .*`ulimit -n`/],
    ['io_setup', 'ENFILE', /^Kernel AIO is unavailable: io_setup\(256\) failed with ENFILE: .*fs\.file-max/],
    ['io_setup', 'EAGAIN', /^Kernel AIO is unavailable: io_setup\(256\) failed with EAGAIN: .*sysctl -w fs\.aio-max-nr/],
    ['io_setup', 'ENOSYS', /^Kernel AIO is unavailable: io_setup\(256\) failed with ENOSYS: .*CONFIG_AIO/],
    ['io_setup', 'ENOMEM', /^Kernel AIO is unavailable: io_setup\(256\) failed with ENOMEM: .*ring of 256 events.*fewer maxEvents/],
    ['io_setup', 'EINVAL', /^Kernel AIO is unavailable: io_setup\(256\) failed with EINVAL: invalid argument\. Check `sysctl fs\.aio-max-nr`/],
    ['uv_poll_init', 'ENOSPC', /^Kernel AIO is unavailable: uv_poll_init failed with ENOSPC: .*fs\.epoll\.max_user_watches/],
    ['uv_poll_start', 'ENOMEM', /^Kernel AIO is unavailable: uv_poll_start failed with ENOMEM: /],
    ['uv_poll_start', 'EPERM', /^Kernel AIO is unavailable: uv_poll_start failed with EPERM: operation not permitted$/],
  ];
  for (const [call, code, says] of wording) {
    it(`${call} ${code}: the message names ${call} and the fix; cause is the errno error of ${call}`, () => {
      const err = unavailable(-ERRNO[code], call);
      expect(err.code).to.equal('ERR_AIO_UNAVAILABLE');
      expect(err.message).to.match(says);
      expect(err.cause).to.include({ code, errno: -ERRNO[code], syscall: call });
      if (call !== 'io_setup') expect(err.message).to.not.match(/aio-max-nr|io_setup/);
    });
  }

  it('a full fd table (ulimit -n): eventfd EMFILE, with its fix; the drop-in serves from node:fs, then from kernel AIO once fds are freed', async () => {
    const source = `
      import { AioContext } from ${JSON.stringify(ENTRY)};
      import * as fs from ${JSON.stringify(PROMISES)};
      import { closeSync, openSync } from 'node:fs';
      const held = [];
      try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; }
      let error;
      try { new AioContext(); } catch (e) { error = e; }
      // One fd free: node's open takes it, the shared context finds none.
      closeSync(held.pop());
      const fh = await fs.open(${JSON.stringify(data)}, 'r');
      const first = await fh.read(Buffer.alloc(4), 0, 4, 0);
      const full = fs.stats();
      const fullBackend = fs.backend;
      for (const fd of held) closeSync(fd);
      ${sleepPastRetry}
      const later = await fh.read(Buffer.alloc(4), 0, 4, 4);
      const freed = fs.stats();
      await fh.close();
      console.log(JSON.stringify({
        code: error?.code, message: error?.message,
        cause: { code: error?.cause?.code, syscall: error?.cause?.syscall },
        read: first.buffer.toString() + later.buffer.toString(),
        full: { backend: fullBackend, stats: full.backend, reason: full.reason, kernel: full.kernel },
        freed: { backend: fs.backend, stats: freed.backend, reason: freed.reason, kernel: freed.kernel },
      }));
    `;
    const r = await runChild('bash', ['-c', 'ulimit -n 128 && exec "$NODE" --input-type=module -e "$SOURCE"'],
      { timeoutMs: 20000, env: { ...process.env, NODE: process.execPath, SOURCE: source } });
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(out.cause).to.deep.equal({ code: 'EMFILE', syscall: 'eventfd' });
    expect(out.message).to.match(/eventfd failed with EMFILE: .*`ulimit -n`/);
    expect(out.message).to.not.include('aio-max-nr');
    expect(out.read).to.equal('01234567');
    expect(out.full).to.deep.equal({ backend: 'node-fs', stats: 'node-fs', reason: out.message, kernel: 0 });
    expect(out.freed).to.deep.equal({ backend: 'kernel-aio', stats: 'kernel-aio', reason: null, kernel: 1 });
  });

  // io_setup fails with the errno written in a file, while the file exists,
  // and the shim counts those failures.
  const FAIL_PRELUDE = `
#include <stdio.h>
#include <stdlib.h>
static long failures;
__attribute__((destructor)) static void report(void) { fprintf(stderr, "IO_SETUP_FAILURES %ld\\n", failures); }
static int failing(void) {
  const char *path = getenv("IO_SETUP_ERRNO");
  FILE *f = path ? fopen(path, "r") : NULL;
  int e = 0;
  if (f) { if (fscanf(f, "%d", &e) != 1) e = 0; fclose(f); }
  return e;
}`;
  const FAIL_BODY = 'if (n == SYS_io_setup) { int e = failing(); if (e) { failures++; errno = e; return -1; } }';

  async function whileIoSetupFails(code: keyof typeof ERRNO, lib: string) {
    const flag = join(scratch.dir, `io-setup-${code}`);
    const uses = 200;
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      import { rmSync, writeFileSync } from 'node:fs';
      writeFileSync(${JSON.stringify(flag)}, '${ERRNO[code]}');
      const start = performance.now();
      const fh = await fs.open(${JSON.stringify(data)}, 'r');
      for (let i = 0; i < ${uses}; i++) await fh.read(Buffer.alloc(4), 0, 4, 0);
      const during = { backend: fs.backend, reason: fs.stats().reason };
      rmSync(${JSON.stringify(flag)});
      const heldMs = performance.now() - start;
      ${sleepPastRetry}
      const { buffer } = await fh.read(Buffer.alloc(4), 0, 4, 12);
      const after = fs.stats();
      await fh.close();
      console.log(JSON.stringify({ heldMs, during, after: { backend: fs.backend, reason: after.reason, read: buffer.toString() } }));
    `, { timeoutMs: 20000, env: { ...preloadEnv(lib), IO_SETUP_ERRNO: flag } });
    expect(r.code, r.stderr).to.equal(0);
    const failures = Number(/IO_SETUP_FAILURES (\d+)/.exec(r.stderr)?.[1]);
    return { ...JSON.parse(r.stdout), failures, uses };
  }

  for (const code of ['EAGAIN', 'ENOMEM'] as const) {
    it(`io_setup ${code} can pass: 200 uses while it holds try again at most once per RETRY_MS, and the drop-in goes back to kernel AIO`, async function () {
      const lib = syscallShim(scratch.dir, 'io-setup-errno', FAIL_BODY, FAIL_PRELUDE);
      if (lib === null) this.skip();
      const out = await whileIoSetupFails(code, lib!);
      expect(out.during.backend).to.equal('node-fs');
      expect(out.during.reason).to.include(`io_setup(256) failed with ${code}`);
      // The first use, then one per RETRY_MS that passed while it held.
      expect(out.failures).to.be.at.least(1);
      expect(out.failures).to.be.at.most(1 + Math.ceil(out.heldMs / RETRY_MS));
      expect(out.after).to.deep.equal({ backend: 'kernel-aio', reason: null, read: 'cdef' });
    });
  }

  it('io_setup ENOSYS is final: the drop-in stays on node:fs after the cause is gone, and tries no more', async function () {
    const lib = syscallShim(scratch.dir, 'io-setup-errno', FAIL_BODY, FAIL_PRELUDE);
    if (lib === null) this.skip();
    const out = await whileIoSetupFails('ENOSYS', lib!);
    expect(out.failures).to.equal(1);
    expect(out.during.reason).to.include('CONFIG_AIO');
    expect(out.after).to.deep.equal({ backend: 'node-fs', reason: out.during.reason, read: 'cdef' });
  });
});
