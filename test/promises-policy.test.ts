import { expect } from 'chai';
import { closeSync, fsyncSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { ENTRY, preloadEnv, runNode, scratchDir, syscallShim } from './support/helpers.js';

const PROMISES = ENTRY.replace('index.js', 'promises.js');
const BLOCK = 4096;

// The never-block policy, checked by what reached io_submit: a shim looks at
// every iocb the process submits and counts buffered reads without
// RWF_NOWAIT (there must be none) and with it.
const AUDIT_PRELUDE = `
#include <fcntl.h>
#include <stdio.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
static long buffered_nowait, buffered_blocking, direct;
__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "AUDIT %ld %ld %ld\\n", buffered_nowait, buffered_blocking, direct);
}`;
const AUDIT_BODY = `
if (n == SYS_io_submit) {
  struct iocb **cbs = (struct iocb **)a[2];
  for (long i = 0; i < a[1]; i++) {
    struct iocb *cb = cbs[i];
    if (cb->aio_lio_opcode != IOCB_CMD_PREAD && cb->aio_lio_opcode != IOCB_CMD_PREADV &&
        cb->aio_lio_opcode != IOCB_CMD_PWRITE && cb->aio_lio_opcode != IOCB_CMD_PWRITEV) continue;
    int fl = fcntl(cb->aio_fildes, F_GETFL);
    if (fl >= 0 && (fl & O_DIRECT)) direct++;
    else if (cb->aio_rw_flags & RWF_NOWAIT) buffered_nowait++;
    else buffered_blocking++;
  }
}`;

function dropCaches(): string | null {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('the never-block policy', function () {
  this.timeout(120000);
  const scratch = scratchDir();
  const path = join(scratch.dir, 'cold');
  const blocks = 16384; // 64 MiB
  before(() => {
    // Each block starts with its own index, so any read can be checked.
    const fd = openSync(path, 'w');
    const chunk = Buffer.alloc(BLOCK * 256, 0x5c);
    for (let b = 0; b < blocks; b += 256) {
      for (let i = 0; i < 256; i++) chunk.writeUInt32LE(b + i, i * BLOCK);
      writeSync(fd, chunk);
    }
    fsyncSync(fd);
    closeSync(fd);
  });
  after(() => scratch.cleanup());

  it('cold cache: random reads return the right bytes, misses go to the threadpool, no buffered request reaches io_submit without RWF_NOWAIT', async function () {
    const lib = syscallShim(scratch.dir, 'audit-submit', AUDIT_BODY, AUDIT_PRELUDE);
    if (lib === null) this.skip();
    const denied = dropCaches();
    if (denied !== null) {
      console.log(`      (skipped: cannot drop the page cache: ${denied})`);
      this.skip();
    }
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      const fh = await fs.open(${JSON.stringify(path)}, 'r');
      let x = 12345, bad = 0;
      const one = async () => {
        for (let i = 0; i < 50; i++) {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          const block = (x >>> 0) % ${blocks};
          const { bytesRead, buffer } = await fh.read(Buffer.alloc(${BLOCK}), 0, ${BLOCK}, block * ${BLOCK});
          if (bytesRead !== ${BLOCK} || buffer.readUInt32LE(0) !== block || buffer[5] !== 0x5c) bad++;
        }
      };
      await Promise.all(Array.from({ length: 8 }, one));
      // Now warm: the same file read again is served by NOWAIT hits.
      const whole = await fs.readFile(${JSON.stringify(path)});
      for (let b = 0; b < ${blocks}; b += 997) if (whole.readUInt32LE(b * ${BLOCK}) !== b) bad++;
      const again = await fh.read(Buffer.alloc(${BLOCK}), 0, ${BLOCK}, 0);
      if (again.buffer.readUInt32LE(0) !== 0) bad++;
      await fh.close();
      console.log(JSON.stringify({ bad, length: whole.length, ...fs.stats() }));
    `, { env: preloadEnv(lib!), timeoutMs: 100000 });
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    const audit = /AUDIT (\d+) (\d+) (\d+)/.exec(r.stderr);
    expect(audit, r.stderr).to.not.equal(null);
    const [nowait, blocking] = [Number(audit![1]), Number(audit![2])];
    expect(out.bad).to.equal(0);
    expect(out.length).to.equal(blocks * BLOCK);
    expect(out.fallbacks, 'cold reads missed the page cache and went to the threadpool').to.be.greaterThan(0);
    expect(out.nowaitHits, 'warm reads were served by the kernel').to.be.greaterThan(0);
    expect(blocking, 'buffered reads submitted without RWF_NOWAIT').to.equal(0);
    expect(nowait).to.be.at.least(out.nowaitHits);
  });

  it('FileHandle.read calls of one loop turn reach the kernel together, in one io_submit with RWF_NOWAIT', async function () {
    // Counts the io_submit calls that carry 4 KiB reads (readFile's reads
    // are larger), and those reads.
    const lib = syscallShim(scratch.dir, 'count-submits', `
if (n == SYS_io_submit) {
  struct iocb **cbs = (struct iocb **)a[2];
  long small = 0;
  for (long i = 0; i < a[1]; i++) {
    if (cbs[i]->aio_lio_opcode == IOCB_CMD_PREAD && cbs[i]->aio_nbytes == 4096) {
      small++;
      if (cbs[i]->aio_rw_flags & RWF_NOWAIT) nowait++;
    }
  }
  if (small > 0) { calls++; reads += small; }
}`, `
#include <stdio.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
static long calls, reads, nowait;
__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "SUBMITS %ld %ld %ld\\n", calls, reads, nowait);
}`);
    if (lib === null) this.skip();
    // A spy on the settling of HandleRead (lib/handle-read.ts) tells that
    // each read took the drop-in's own path: no AioRequest, no Completion.
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      import { HandleRead } from ${JSON.stringify(ENTRY.replace('index.js', 'handle-read.js'))};
      const settle = HandleRead.prototype._settle;
      let handleReads = 0;
      HandleRead.prototype._settle = function (res) { handleReads++; return settle.call(this, res); };
      const fh = await fs.open(${JSON.stringify(path)}, 'r');
      const warm = Buffer.alloc(${BLOCK});
      for (let i = 0; i < 32; i++) await fh.read(warm, 0, ${BLOCK}, i * 97 * ${BLOCK});
      const [before, readsBefore] = [fs.stats(), handleReads];
      const results = await Promise.all(Array.from({ length: 32 }, (_, i) =>
        fh.read(Buffer.alloc(${BLOCK}), 0, ${BLOCK}, i * 97 * ${BLOCK})));
      const after = fs.stats();
      const bad = results.filter((res, i) => Object.getPrototypeOf(res) !== null || res.bytesRead !== ${BLOCK} ||
        res.buffer.readUInt32LE(0) !== i * 97).length;
      await fh.close();
      const delta = (k) => after[k] - before[k];
      console.log(JSON.stringify({ bad, handleReads: handleReads - readsBefore,
        answered: delta('nowaitHits') + delta('fallbacks'), kernelIsHits: delta('kernel') === delta('nowaitHits') }));
    `, { env: preloadEnv(lib!), timeoutMs: 60000 });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ bad: 0, handleReads: 32, answered: 32, kernelIsHits: true });
    const counted = /SUBMITS (\d+) (\d+) (\d+)/.exec(r.stderr);
    expect(counted, r.stderr).to.not.equal(null);
    // The warm-up's reads, one a turn, then the 32 of one turn together.
    expect(counted!.slice(1).map(Number), 'io_submit calls, 4 KiB reads in them, of which RWF_NOWAIT').to.deep.equal([33, 64, 64]);
  });

  it('buffered writes never reach io_submit; fsync does', async function () {
    const lib = syscallShim(scratch.dir, 'audit-submit', AUDIT_BODY, AUDIT_PRELUDE);
    if (lib === null) this.skip();
    const target = join(scratch.dir, 'writes');
    const r = await runNode(`
      import * as fs from ${JSON.stringify(PROMISES)};
      const fh = await fs.open(${JSON.stringify(target)}, 'w+');
      for (let i = 0; i < 20; i++) await fh.write(Buffer.alloc(4096, i), 0, 4096, i * 4096);
      await fh.writev([Buffer.alloc(10), Buffer.alloc(20)], 0);
      await fh.sync();
      await fh.close();
      console.log(JSON.stringify(fs.stats()));
    `, { env: preloadEnv(lib!) });
    expect(r.code, r.stderr).to.equal(0);
    const s = JSON.parse(r.stdout);
    const audit = /AUDIT (\d+) (\d+) (\d+)/.exec(r.stderr)!;
    expect(Number(audit[2]), 'buffered writes at io_submit').to.equal(0);
    expect(s.threadpool).to.be.at.least(21);
    expect(s.kernel).to.be.at.least(1); // the fsync
  });
});
