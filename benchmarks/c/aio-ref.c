// The C reference of `npm run bench`: 4 KiB random reads with kernel AIO,
// as a program written straight against the syscalls would do them (no
// eventfd, io_getevents to reap). Three modes:
//
//   direct  O_DIRECT, DEPTH in flight, each completion resubmitted at once.
//   batch   buffered with RWF_NOWAIT (a cached file: each read completes
//           inside io_submit), DEPTH per io_submit, the next batch once all
//           of one are reaped: what AioContext.readBatch does.
//   batch-eventfd
//           batch, under linux-aio's rule that every iocb signals an
//           eventfd (IOCB_FLAG_RESFD) which an epoll set watches, as libuv
//           watches ours; the eventfd is reset once per batch. What the
//           rule itself costs, with no JavaScript.
//
//   aio-ref FILE DEPTH SECONDS SEED [direct|batch|batch-eventfd]
//     ->  "ops seconds cpu_seconds" on stdout
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static uint32_t next_random(uint32_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: aio-ref FILE DEPTH SECONDS SEED [direct|batch|batch-eventfd]\n");
    return 2;
  }
  const int with_eventfd = argc == 6 && strcmp(argv[5], "batch-eventfd") == 0;
  const int batch = with_eventfd || (argc == 6 && strcmp(argv[5], "batch") == 0);
  int efd = -1;
  if (with_eventfd) {
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event watch = {.events = EPOLLIN};
    if (efd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &watch) < 0) { perror("eventfd"); return 1; }
  }
  const int depth = atoi(argv[2]);
  const double seconds = atof(argv[3]);
  uint32_t x = (uint32_t)strtoul(argv[4], NULL, 10) | 1;
  int fd = open(argv[1], batch ? O_RDONLY : O_RDONLY | O_DIRECT);
  if (fd < 0) { perror("open"); return 1; }
  struct stat st;
  fstat(fd, &st);
  const uint64_t blocks = st.st_size / BLOCK;

  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, depth, &ctx) < 0) { perror("io_setup"); return 1; }
  struct iocb *cbs = calloc(depth, sizeof *cbs);
  struct iocb **list = calloc(depth, sizeof *list);
  struct io_event *events = calloc(depth, sizeof *events);
  char *buffers;
  if (posix_memalign((void **)&buffers, BLOCK, (size_t)depth * BLOCK) != 0) return 1;

  for (int i = 0; i < depth; i++) {
    cbs[i].aio_lio_opcode = IOCB_CMD_PREAD;
    cbs[i].aio_fildes = fd;
    cbs[i].aio_buf = (uint64_t)(uintptr_t)(buffers + (size_t)i * BLOCK);
    cbs[i].aio_nbytes = BLOCK;
    cbs[i].aio_data = i;
    if (batch) cbs[i].aio_rw_flags = RWF_NOWAIT;
    if (with_eventfd) {
      cbs[i].aio_flags = IOCB_FLAG_RESFD;
      cbs[i].aio_resfd = efd;
    }
    cbs[i].aio_offset = (next_random(&x) % blocks) * BLOCK;
    list[i] = &cbs[i];
  }
  const double start = now(), cpu0 = cpu();
  uint64_t ops = 0;
  if (batch) {
    while (now() - start < seconds) {
      if (syscall(SYS_io_submit, ctx, depth, list) != depth) { perror("io_submit"); return 1; }
      for (int reaped = 0; reaped < depth;) {
        long n = syscall(SYS_io_getevents, ctx, depth - reaped, depth - reaped, events, NULL);
        if (n < 0) { if (errno == EINTR) continue; perror("io_getevents"); return 1; }
        for (long i = 0; i < n; i++) {
          long long res = events[i].res;
          // A page reclaimed since the file was read into the cache misses
          // under RWF_NOWAIT: read it as a cached multi-get would, blocking
          // (batch-reads.ts does the same).
          if (res == -EAGAIN) {
            const struct iocb *cb = &cbs[events[i].data];
            res = pread(fd, (void *)(uintptr_t)cb->aio_buf, BLOCK, (off_t)cb->aio_offset);
            if (res < 0) { perror("pread"); return 1; }
          }
          if (res != BLOCK) { fprintf(stderr, "read: %lld\n", res); return 1; }
        }
        reaped += n;
      }
      if (with_eventfd) {
        uint64_t signalled;
        if (read(efd, &signalled, sizeof signalled) != sizeof signalled) { perror("read eventfd"); return 1; }
      }
      ops += depth;
      for (int i = 0; i < depth; i++) cbs[i].aio_offset = (next_random(&x) % blocks) * BLOCK;
    }
    printf("%llu %.6f %.6f\n", (unsigned long long)ops, now() - start, cpu() - cpu0);
    return 0;
  }
  if (syscall(SYS_io_submit, ctx, depth, list) != depth) { perror("io_submit"); return 1; }
  int inflight = depth;
  int stopping = 0;
  while (inflight > 0) {
    long n = syscall(SYS_io_getevents, ctx, 1, depth, events, NULL);
    if (n < 0) { if (errno == EINTR) continue; perror("io_getevents"); return 1; }
    inflight -= n;
    int again = 0;
    for (long i = 0; i < n; i++) {
      if (events[i].res != BLOCK) { fprintf(stderr, "read: %lld\n", (long long)events[i].res); return 1; }
      ops++;
      if (stopping) continue;
      struct iocb *cb = (struct iocb *)(uintptr_t)&cbs[events[i].data];
      cb->aio_offset = (next_random(&x) % blocks) * BLOCK;
      list[again++] = cb;
    }
    if (!stopping && now() - start >= seconds) stopping = 1;
    if (!stopping && again > 0) {
      if (syscall(SYS_io_submit, ctx, again, list) != again) { perror("io_submit"); return 1; }
      inflight += again;
    }
  }
  printf("%llu %.6f %.6f\n", (unsigned long long)ops, now() - start, cpu() - cpu0);
  syscall(SYS_io_destroy, ctx);
  return 0;
}
