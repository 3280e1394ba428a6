// The raw kernel AIO ABI: io_setup / io_submit / io_getevents / io_cancel /
// io_destroy through syscall(2), reaping from the user-space completion ring,
// and statx(STATX_DIOALIGN). Every function returns a count or a raw negative
// errno; nothing here allocates, throws or knows about JavaScript.
#pragma once

#include <linux/aio_abi.h>
#include <cstdint>
#include <ctime>

namespace kaio {

int Setup(unsigned nr_events, aio_context_t* ctx);
int Destroy(aio_context_t ctx);
long Submit(aio_context_t ctx, long nr, struct iocb** iocbs);
int Cancel(aio_context_t ctx, struct iocb* iocb, struct io_event* result);
long GetEvents(aio_context_t ctx, long min_nr, long nr, struct io_event* events,
               struct timespec* timeout);

// The kernel maps a ring of io_events at the address that is the context id.
// It may be read directly when its header says the layout is the one we know.
bool RingUsable(aio_context_t ctx);
// True if the ring holds an event not yet reaped.
bool RingHasEvents(aio_context_t ctx);
// Copies up to max events out of the ring and publishes the new head.
// Single consumer only: the context's loop thread.
unsigned RingReap(aio_context_t ctx, struct io_event* out, unsigned max);

struct DioAlign {
  uint32_t memory;
  uint32_t offset;
};
// 0 with *out filled (zeros when the filesystem reports no alignment), or -errno.
int DioAlignment(int dirfd, const char* path, int flags, DioAlign* out);

}  // namespace kaio
