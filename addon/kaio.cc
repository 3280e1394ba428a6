#include "kaio.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace kaio {

namespace {

// Layout of the ring header, from fs/aio.c (stable since 2.6).
struct Ring {
  unsigned id;
  unsigned nr;
  unsigned head;
  unsigned tail;
  unsigned magic;
  unsigned compat_features;
  unsigned incompat_features;
  unsigned header_length;
  struct io_event events[];
};

constexpr unsigned kRingMagic = 0xa10a10a1;

inline long Result(long r) { return r < 0 ? -errno : r; }

inline Ring* RingOf(aio_context_t ctx) { return reinterpret_cast<Ring*>(ctx); }

}  // namespace

int Setup(unsigned nr_events, aio_context_t* ctx) {
  *ctx = 0;
  return static_cast<int>(Result(syscall(SYS_io_setup, nr_events, ctx)));
}

int Destroy(aio_context_t ctx) {
  return static_cast<int>(Result(syscall(SYS_io_destroy, ctx)));
}

long Submit(aio_context_t ctx, long nr, struct iocb** iocbs) {
  return Result(syscall(SYS_io_submit, ctx, nr, iocbs));
}

int Cancel(aio_context_t ctx, struct iocb* iocb, struct io_event* result) {
  return static_cast<int>(Result(syscall(SYS_io_cancel, ctx, iocb, result)));
}

long GetEvents(aio_context_t ctx, long min_nr, long nr, struct io_event* events,
               struct timespec* timeout) {
  long r;
  do {
    r = Result(syscall(SYS_io_getevents, ctx, min_nr, nr, events, timeout));
  } while (r == -EINTR);
  return r;
}

bool RingUsable(aio_context_t ctx) {
  const Ring* ring = RingOf(ctx);
  return ring != nullptr && ring->magic == kRingMagic &&
         ring->incompat_features == 0 && ring->nr > 0 &&
         ring->header_length == sizeof(Ring);
}

bool RingHasEvents(aio_context_t ctx) {
  const Ring* ring = RingOf(ctx);
  const unsigned head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
  const unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
  // As RingReap: a header out of bounds (the page is writable from user
  // space) holds nothing to reap, rather than events that never come out.
  return head < ring->nr && tail < ring->nr && head != tail;
}

unsigned RingReap(aio_context_t ctx, struct io_event* out, unsigned max) {
  Ring* ring = RingOf(ctx);
  const unsigned nr = ring->nr;
  unsigned head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
  // Acquire pairs with the kernel's barrier between writing an event and
  // publishing the tail: the events below tail are complete.
  const unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
  if (head >= nr || tail >= nr) return 0;
  unsigned n = 0;
  while (head != tail && n < max) {
    out[n++] = ring->events[head];
    head = head + 1 == nr ? 0 : head + 1;
  }
  // Release: our copies are done before the kernel may reuse those entries.
  __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
  return n;
}

int DioAlignment(int dirfd, const char* path, int flags, DioAlign* out) {
  struct statx stx = {};
  long r = Result(syscall(SYS_statx, dirfd, path, flags, STATX_DIOALIGN, &stx));
  if (r < 0) return static_cast<int>(r);
  if (stx.stx_mask & STATX_DIOALIGN) {
    out->memory = stx.stx_dio_mem_align;
    out->offset = stx.stx_dio_offset_align;
  } else {
    out->memory = out->offset = 0;
  }
  return 0;
}

}  // namespace kaio
