import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ENTRY, type RunResult, runChild, scratchDir } from './support/helpers.js';

// Anonymous-inode files opened without O_NONBLOCK. Node cannot create them,
// so a helper compiled here creates one of the named kind and execs Node with
// it inherited (fd number in LINUX_AIO_TEST_FD); it exits 77 where the
// kernel or the user lacks the kind.
const HELPER = `
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<linux/userfaultfd.h>)
#include <linux/userfaultfd.h>
#endif

static int make(const char *kind) {
  if (!strcmp(kind, "eventfd")) return eventfd(0, 0);
  if (!strcmp(kind, "timerfd")) return timerfd_create(CLOCK_MONOTONIC, 0);
  if (!strcmp(kind, "signalfd")) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    return signalfd(-1, &set, 0);
  }
  if (!strcmp(kind, "inotify")) return inotify_init1(0);
  if (!strcmp(kind, "fanotify")) return fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
  if (!strcmp(kind, "epoll")) return epoll_create1(0);
#ifdef SYS_pidfd_open
  if (!strcmp(kind, "pidfd")) return syscall(SYS_pidfd_open, getpid(), 0);
#endif
#if defined(SYS_userfaultfd) && defined(UFFD_API)
  if (!strcmp(kind, "userfaultfd")) {
    int fd = syscall(SYS_userfaultfd, 0);
    if (fd < 0 && errno == EPERM) fd = syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */);
    struct uffdio_api api = { .api = UFFD_API };
    if (fd >= 0 && ioctl(fd, UFFDIO_API, &api) < 0) return -1;
    return fd;
  }
#endif
  errno = ENOSYS;
  return -1;
}

int main(int argc, char **argv) {
  int fd = make(argv[1]);
  if (fd < 0) {
    fprintf(stderr, "%s: %s\\n", argv[1], strerror(errno));
    return 77;
  }
  char number[16];
  snprintf(number, sizeof number, "%d", fd);
  setenv("LINUX_AIO_TEST_FD", number, 1);
  execv(argv[2], argv + 2);
  return 127;
}
`;

// EOPNOTSUPP, which Node names ENOTSUP (the same errno on Linux).
const REFUSED = ['EOPNOTSUPP', 'ENOTSUP'];

describe('blocking anonymous-inode fds', () => {
  const scratch = scratchDir();
  let helper: string | null = null;
  let noHelper = '';
  before(() => {
    const source = join(scratch.dir, 'with-fd.c');
    writeFileSync(source, HELPER);
    try {
      execFileSync('cc', ['-o', join(scratch.dir, 'with-fd'), source], { stdio: 'pipe' });
      helper = join(scratch.dir, 'with-fd');
    } catch (e) {
      noHelper = String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n')[0];
    }
  });
  after(() => scratch.cleanup());

  const prelude = `
    import { AioContext, constants } from ${JSON.stringify(ENTRY)};
    import { writeSync } from 'node:fs';
    const fd = Number(process.env.LINUX_AIO_TEST_FD);
    const show = (c) => c.res < 0 ? c.error.code : c.res;
    const ctx = new AioContext();
  `;

  /** Runs `source` in a child Node holding a blocking fd of `kind`; skips where there is none. */
  async function withFd(test: Mocha.Context, kind: string, source: string): Promise<RunResult> {
    if (helper === null) {
      console.log(`      (skipped: cannot compile the fd helper: ${noHelper})`);
      test.skip();
    }
    const r = await runChild(helper!, [kind, process.execPath, '--input-type=module', '-e', `${prelude}${source}`],
      { timeoutMs: 10000 });
    if (r.code === 77) {
      console.log(`      (skipped: cannot create ${r.stderr.trim()})`);
      test.skip();
    }
    expect(r.timedOut, 'io_submit blocked the event loop').to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    return r;
  }

  it('eventfd: a read of a zero counter completes with EAGAIN; polled while the loop ticks, it reads what a tick wrote', async function () {
    const r = await withFd(this, 'eventfd', `
      const buf = Buffer.alloc(8);
      const empty = await ctx.read(fd, buf, 0);
      let ticks = 0;
      const ready = ctx.poll(fd, constants.POLLIN);
      const timer = setInterval(() => {
        if (++ticks === 3) writeSync(fd, Buffer.from(new BigUint64Array([5n]).buffer));
      }, 1);
      await ready;
      clearInterval(timer);
      const later = await ctx.read(fd, buf, 0);
      await ctx.close();
      // The poll's completion may come a tick after the write (the kernel
      // can finish it from a workqueue), never before it.
      console.log(JSON.stringify({ empty: show(empty), tickedToTheWrite: ticks >= 3, later: show(later), value: Number(buf.readBigUInt64LE()) }));
    `);
    expect(JSON.parse(r.stdout)).to.deep.equal({ empty: 'EAGAIN', tickedToTheWrite: true, later: 8, value: 5 });
  });

  // Kinds whose read waits for another party (a timer that is never armed,
  // a signal never sent, a page fault that never comes). EAGAIN where the
  // kind has a no-wait read path (Linux 6.18 has one for each); EOPNOTSUPP
  // (Node's ENOTSUP) where it has no kernel-AIO read at all (timerfd on 6.6).
  // A setInterval must tick while the read is in flight.
  for (const kind of ['timerfd', 'signalfd', 'userfaultfd']) {
    it(`${kind}: a read that would wait for ever completes at once; the loop keeps ticking`, async function () {
      const r = await withFd(this, kind, `
        let ticks = 0;
        let settled = false;
        const timer = setInterval(() => { ticks++; }, 1);
        const read = ctx.read(fd, Buffer.alloc(256), 0);
        read.done.then(() => { settled = true; });
        while (ticks < 3 || !settled) await new Promise((resolve) => setTimeout(resolve, 1));
        clearInterval(timer);
        await ctx.close();
        console.log(JSON.stringify({ read: show(await read) }));
      `);
      expect(['EAGAIN', ...REFUSED]).to.include(JSON.parse(r.stdout).read);
    });
  }

  // Kinds with no kernel-AIO read at all (-EINVAL at io_submit): they never
  // block, and under the RWF_NOWAIT every type-less fd gets, the kernel says
  // so with EOPNOTSUPP; EAGAIN should a kernel give one a no-wait read.
  for (const kind of ['inotify', 'fanotify', 'epoll', 'pidfd']) {
    it(`${kind}: a read is refused at io_submit, under RWF_NOWAIT`, async function () {
      const r = await withFd(this, kind, `
        const read = await ctx.read(fd, Buffer.alloc(4096), 0);
        await ctx.close();
        console.log(JSON.stringify({ read: show(read) }));
      `);
      expect([...REFUSED, 'EAGAIN']).to.include(JSON.parse(r.stdout).read);
    });
  }
});
