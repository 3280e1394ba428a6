import { expect } from 'chai';
import { join } from 'node:path';

import { AIO_RINGS, ENTRY, patternBytes, preloadEnv, ROOT, runNode, scratchDir, syscallShim, writeFile } from './support/helpers.js';

const PROMISES = join(ROOT, 'dist/lib/promises.js');

// Worker threads that use the library and end in every way a worker can,
// each case in a process of its own: what is tested is that the process
// lives on (no crash, no heap corruption) and holds no kernel context
// afterwards. Every case runs twice: with a main thread that never loads
// the addon (then the worker's environment is the addon's only user, and
// Node unloads it when the worker ends), and with one that does.
describe('worker threads: a thread that ends cleans up its contexts', () => {
  const scratch = scratchDir();
  const size = 16 << 20;
  const data = writeFile(join(scratch.dir, 'data'), patternBytes(size, 3));
  const asan = process.env.LD_PRELOAD?.includes('libasan') === true;
  let freedCheck: string | null = null;
  before(() => { if (asan) freedCheck = freedBeforeDestroyCheck(scratch.dir); });
  after(() => scratch.cleanup());

  /**
   * Runs `main` (an async function body that starts workers from `source`
   * through `start(workerData)` and ends them) in a child Node, then prints
   * whether the process still holds kernel contexts.
   */
  async function run(mainLoads: boolean, source: string, main: string, env: NodeJS.ProcessEnv = process.env) {
    const r = await runNode(`
      import { Worker } from 'node:worker_threads';
      import { readFileSync } from 'node:fs';
      import { aioRingsHeld } from ${JSON.stringify(AIO_RINGS)};
      ${mainLoads ? `import ${JSON.stringify(ENTRY)};` : ''}
      const addonMapped = () => readFileSync('/proc/self/maps', 'utf8').includes('linux_aio.node');
      const loadedByMain = addonMapped();
      const data = ${JSON.stringify(data)};
      const source = ${JSON.stringify(source)};
      const start = (workerData) => new Worker(source, { eval: true, workerData: { data, size: ${size}, ...workerData } });
      const message = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
      const exited = (w) => new Promise((resolve) => w.once('exit', resolve));
      const before = aioRingsHeld();
      const out = await (async () => { ${main} })();
      // Teardown destroys contexts in the background; a worker's exit waits for it.
      console.log(JSON.stringify({ loadedByMain, out, contextsBack: aioRingsHeld() === before }));
    `, { timeoutMs: 50000, env });
    expect(r.timedOut, 'the process hung').to.equal(false);
    expect(r.signal, `killed by a signal: ${r.stderr}`).to.equal(null);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout) as { loadedByMain: boolean; out: unknown; contextsBack: boolean };
    expect(result.loadedByMain, 'the main thread loaded the addon').to.equal(mainLoads);
    expect(result.contextsBack, 'kernel contexts left behind').to.equal(true);
    return result.out;
  }

  // 3 rounds of 8 workers, each terminated once it says its reads are in
  // flight; resolves to what they said. Heap corruption then shows in the
  // allocator's own checks on reuse.
  const TERMINATED_IN_ROUNDS = `
    const said = [];
    for (let round = 0; round < 3; round++) {
      const workers = Array.from({ length: 8 }, () => start());
      said.push(...await Promise.all(workers.map(message)));
      await Promise.all(workers.map((w) => w.terminate()));
    }
    for (let i = 0; i < 2000; i++) Buffer.allocUnsafeSlow(65536 + i).fill(i);
    return said;
  `;

  for (const mainLoads of [false, true]) {
    describe(mainLoads ? 'the main thread loads the addon too' : 'the main thread never loads the addon', () => {
      it('a worker that read with linux-aio/promises returns normally', async () => {
        const out = await run(mainLoads, `
          import { readFile, backend } from ${JSON.stringify(PROMISES)};
          import { parentPort, workerData } from 'node:worker_threads';
          const b = await readFile(workerData.data);
          parentPort.postMessage([b.length, backend]);
        `, `
          const results = [];
          for (let i = 0; i < 3; i++) {
            const w = start();
            const exit = exited(w);
            results.push(await message(w), await exit);
          }
          return results;
        `);
        expect(out).to.deep.equal([[size, 'kernel-aio'], 0, [size, 'kernel-aio'], 0, [size, 'kernel-aio'], 0]);
      });

      it('a worker whose contexts are never closed ends by itself, or is terminated, idle or with reads in flight', async () => {
        const out = await run(mainLoads, `
          import { AioContext, constants } from ${JSON.stringify(ENTRY)};
          import { openSync, constants as fsConstants } from 'node:fs';
          import { execFileSync } from 'node:child_process';
          import { threadId, parentPort, workerData } from 'node:worker_threads';
          const fd = openSync(workerData.data, 'r');
          const contexts = [new AioContext({ maxEvents: 8 }), new AioContext({ maxEvents: 80 })];
          await contexts[0].read(fd, Buffer.alloc(4096), 0);
          if (workerData.busy) {
            // A poll only a cancel or io_destroy ends, and reads in flight,
            // started again as they finish, when the end comes.
            const fifo = workerData.data + '.fifo' + process.pid + '-' + threadId;
            execFileSync('mkfifo', [fifo]);
            contexts[1].poll(openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK), constants.POLLIN);
            const again = (i) => contexts[1].read(fd, Buffer.alloc(65536), (i * 65536) % workerData.size).then(() => again(i + 1));
            for (let i = 0; i < 64; i++) again(i);
          }
          parentPort.postMessage('ready');
          if (workerData.hold) setInterval(() => {}, 1000);
        `, `
          const codes = [];
          for (const how of ['returns', 'terminated idle', 'terminated busy']) {
            const w = start({ hold: how !== 'returns', busy: how === 'terminated busy' });
            const exit = exited(w);
            await message(w);
            if (how !== 'returns') await w.terminate();
            codes.push(how + ' ' + await exit);
          }
          return codes;
        `);
        expect(out).to.deep.equal(['returns 0', 'terminated idle 1', 'terminated busy 1']);
      });

      it('a worker that calls process.exit() or throws with requests in flight', async () => {
        const out = await run(mainLoads, `
          import { AioContext, constants } from ${JSON.stringify(ENTRY)};
          import { openSync } from 'node:fs';
          import { parentPort, workerData } from 'node:worker_threads';
          const fd = openSync(workerData.data, 'r');
          const ctx = new AioContext({ maxEvents: 64 });
          for (let i = 0; i < 64; i++) ctx.read(fd, Buffer.alloc(65536), i * 65536);
          await new Promise((resolve) => setImmediate(resolve)); // submitted
          if (workerData.how === 'exit') process.exit(7);
          throw new Error('boom');
        `, `
          const results = [];
          for (const how of ['exit', 'throw']) {
            const w = start({ how });
            w.on('error', (e) => results.push(how + ' error ' + e.message));
            results.push(how + ' ' + await exited(w));
          }
          return results;
        `);
        expect(out).to.deep.equal(['exit 7', 'throw error boom', 'throw 1']);
      });

      it('workers terminated while their contexts close', async () => {
        const out = await run(mainLoads, `
          import { AioContext } from ${JSON.stringify(ENTRY)};
          import { openSync } from 'node:fs';
          import { parentPort, workerData } from 'node:worker_threads';
          const fd = openSync(workerData.data, 'r');
          const contexts = Array.from({ length: 4 }, () => new AioContext({ maxEvents: 8 }));
          await Promise.all(contexts.map((c) => c.read(fd, Buffer.alloc(4096), 0)));
          for (const c of contexts) c.close();
          parentPort.postMessage('closing');
        `, `
          for (let round = 0; round < 10; round++) {
            const w = start();
            await message(w);
            await w.terminate();
          }
          return 'done';
        `);
        expect(out).to.equal('done');
      });

      // The kernel writes into these buffers until io_destroy has returned:
      // memory the library allocated must not be freed before, whatever
      // order the worker's environment is torn down in.
      it('8 workers terminated with O_DIRECT reads in flight into allocAligned buffers, 3 rounds', async () => {
        // Under AddressSanitizer, freed memory sits in quarantine and the
        // kernel's late writes corrupt nothing visible: there, a preloaded
        // syscall() checks at each io_destroy that no buffer the kernel may
        // still write to has been freed (with completions reaped through
        // io_getevents, which it sees).
        const env = asan && freedCheck !== null ? { ...preloadEnv(freedCheck), LINUX_AIO_REAP: 'syscall' } : process.env;
        const out = await run(mainLoads, `
          import { AioContext, allocAligned } from ${JSON.stringify(ENTRY)};
          import { openSync, constants } from 'node:fs';
          import { parentPort, workerData } from 'node:worker_threads';
          const fd = openSync(workerData.data, constants.O_RDONLY | constants.O_DIRECT);
          const ctx = new AioContext({ maxEvents: 128 });
          // Each lane reads again as its read completes, so reads stay in the
          // kernel until the end: one the disk answers during io_submit is
          // settled as it returns, and would leave its lane idle.
          const lane = (i) => ctx.read(fd, allocAligned(65536), (i * 65536) % workerData.size).then(() => lane(i + 128));
          for (let i = 0; i < 128; i++) lane(i);
          const report = () => (ctx.inFlight > 0 ? parentPort.postMessage(ctx.inFlight) : setImmediate(report));
          setImmediate(report);
        `, TERMINATED_IN_ROUNDS, env) as number[];
        expect(out.filter((n) => n > 0).length, 'workers that had reads in flight when terminated').to.equal(24);
      });

      it('8 workers terminated with direct linux-aio/promises reads in flight (bounce buffers), 3 rounds', async () => {
        const out = await run(mainLoads, `
          import { open } from ${JSON.stringify(PROMISES)};
          import { parentPort, workerData } from 'node:worker_threads';
          const fh = await open(workerData.data, 'r', 0o666, { direct: true });
          // Unaligned buffers and offsets: every read goes through a bounce buffer.
          for (let i = 0; i < 64; i++) fh.read(Buffer.alloc(65536), 1, 65535, 1 + i * 65536).catch(() => {});
          setImmediate(() => parentPort.postMessage('reading'));
        `, TERMINATED_IN_ROUNDS);
        expect(out).to.deep.equal(Array(24).fill('reading'));
      });
    });
  }
});

/**
 * A preloaded syscall() for AddressSanitizer runs: it records the buffers of
 * every read and write io_submit hands the kernel, forgets them as
 * io_getevents or io_cancel hands their events back, and at io_destroy asks
 * AddressSanitizer whether any still outstanding has been freed; if so it
 * says which and aborts. Null without a C compiler.
 */
function freedBeforeDestroyCheck(dir: string): string | null {
  return syscallShim(dir, 'freed-before-destroy', `
    if (n == SYS_io_submit && (long)a[1] > 0) {
      struct iocb** cbs = (struct iocb**)a[2];
      pthread_mutex_lock(&lock);
      for (long i = 0; i < (long)a[1]; i++) {
        struct iocb* cb = cbs[i];
        if (cb->aio_lio_opcode == IOCB_CMD_PREAD || cb->aio_lio_opcode == IOCB_CMD_PWRITE) {
          track(a[0], cb, (void*)cb->aio_buf, cb->aio_nbytes);
        } else if (cb->aio_lio_opcode == IOCB_CMD_PREADV || cb->aio_lio_opcode == IOCB_CMD_PWRITEV) {
          const struct iovec* iov = (const struct iovec*)cb->aio_buf;
          for (unsigned j = 0; j < cb->aio_nbytes; j++) track(a[0], cb, iov[j].iov_base, iov[j].iov_len);
        }
      }
      pthread_mutex_unlock(&lock);
      long r = real(n, a[0], a[1], a[2]);
      if (r < (long)a[1]) {
        /* Not taken by the kernel: no longer its to write. */
        pthread_mutex_lock(&lock);
        for (long i = r < 0 ? 0 : r; i < (long)a[1]; i++) forget((void*)cbs[i]);
        pthread_mutex_unlock(&lock);
      }
      return r;
    }
    if (n == SYS_io_getevents) {
      long r = real(n, a[0], a[1], a[2], a[3], a[4]);
      struct io_event* ev = (struct io_event*)a[3];
      pthread_mutex_lock(&lock);
      for (long i = 0; i < r; i++) forget((void*)ev[i].obj);
      pthread_mutex_unlock(&lock);
      return r;
    }
    if (n == SYS_io_cancel) {
      long r = real(n, a[0], a[1], a[2]);
      if (r == 0) { pthread_mutex_lock(&lock); forget((void*)a[1]); pthread_mutex_unlock(&lock); }
      return r;
    }
    if (n == SYS_io_destroy) {
      pthread_mutex_lock(&lock);
      for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i].cb != 0 && tracked[i].ctx == a[0] && tracked[i].len > 0 &&
            __asan_region_is_poisoned(tracked[i].buf, tracked[i].len) != 0) {
          fprintf(stderr, "freed before io_destroy: %zu bytes at %p\\n", tracked[i].len, tracked[i].buf);
          abort();
        }
      }
      for (int i = 0; i < MAX_TRACKED; i++) if (tracked[i].ctx == a[0]) tracked[i].cb = 0;
      pthread_mutex_unlock(&lock);
    }`, `
    #include <linux/aio_abi.h>
    #include <pthread.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <sys/uio.h>
    void* __asan_region_is_poisoned(void* beg, size_t size);
    #define MAX_TRACKED 65536
    static struct { long ctx; void* cb; void* buf; size_t len; } tracked[MAX_TRACKED];
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static void track(long ctx, void* cb, void* buf, size_t len) {
      for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i].cb == 0) { tracked[i].ctx = ctx; tracked[i].cb = cb; tracked[i].buf = buf; tracked[i].len = len; return; }
      }
      fprintf(stderr, "freed-before-destroy: table full\\n");
      abort();
    }
    static void forget(void* cb) {
      for (int i = 0; i < MAX_TRACKED; i++) if (tracked[i].cb == cb) tracked[i].cb = 0;
    }`);
}
