// The completion side of NativeContext: the eventfd's wakeups, reaping the
// kernel's events into the shared done arrays a chunk at a time, the one
// call into JavaScript per chunk, and what a completion gives back (its
// slot, and the loop once nothing is in flight). Submission, cancellation
// and teardown are in context.cc, which calls into this file, never the
// other way round.
#include "context.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

void NativeContext::OnPoll(uv_poll_t* handle, int /*status*/, int /*events*/) {
  NativeContext* self = static_cast<NativeContext*>(handle->data);
  if (self != nullptr) self->Drain();
}

// Takes up to `max` available events, copies the completions among them
// into the shared done_* arrays and returns how many. Events that do not
// match an in-flight slot's generation are dropped (they cannot occur
// unless the kernel misbehaves). `*full`: all `max` were taken, so more
// may wait.
unsigned NativeContext::Reap(unsigned max, bool* full) {
  unsigned n = 0;
  while (n < deferred_count_ && n < max) {
    events_[n] = deferred_[n];
    n++;
  }
  if (n > 0) {
    std::memmove(&deferred_[0], &deferred_[n], (deferred_count_ - n) * sizeof(struct io_event));
    deferred_count_ -= n;
  }
  if (n < max) {
    if (use_ring_) {
      shared_arrays_.counters[kRingReaps]++;
      n += kaio::RingReap(ctx_, events_.get() + n, max - n);
    } else {
      shared_arrays_.counters[kReapSyscalls]++;
      struct timespec zero = {0, 0};
      long r = kaio::GetEvents(ctx_, 0, max - n, events_.get() + n, &zero);
      if (r > 0) n += static_cast<unsigned>(r);
    }
  }
  *full = n == max;
  unsigned valid = 0;
  for (unsigned i = 0; i < n; i++) {
    const struct io_event& ev = events_[i];
    const uint32_t slot = static_cast<uint32_t>(ev.data & 0xffffffffu);
    const uint32_t generation = static_cast<uint32_t>(ev.data >> 32);
    if (slot >= capacity_ || slots_[slot].state != SlotState::InFlight ||
        slots_[slot].generation != generation) {
      continue;
    }
    FreeSlot(slot);
    shared_arrays_.done_slot[valid] = static_cast<int32_t>(slot);
    shared_arrays_.done_res[valid] = static_cast<double>(ev.res);
    shared_arrays_.done_res2[valid] = static_cast<double>(ev.res2);
    valid++;
  }
  in_flight_ -= valid;
  return valid;
}

// A reap that stopped at its limit may have left completions behind, after
// the eventfd was reset: signal it again, and the loop comes back for them
// on its next turn. Without the ring there is no way to look, so a full
// reap is taken to mean there is more.
void NativeContext::ComeBackIfMore(bool full) {
  const bool more = deferred_count_ > 0 || (use_ring_ ? kaio::RingHasEvents(ctx_) : full);
  if (more) SignalEventfd();
}

// A buffered read the page cache serves (or any request the kernel finishes
// inside io_submit) has its event in the ring when io_submit returns. Taken
// now, JavaScript settles it in this loop turn, right after submit()
// returns, instead of one eventfd wakeup and one loop turn later. Checking
// the ring costs no system call, so submissions that complete later (direct
// I/O, polls) pay nothing.
//
// The ring gives the oldest events first. When it held none before
// io_submit (`backlog` false), what is there now is this submission's, and
// all of it is taken. Otherwise earlier completions wait their turn there:
// one chunk is taken, as Drain takes one, and the rest are come back for,
// so that a large burst still reaches JavaScript a chunk at a time.
void NativeContext::ReapAfterSubmit(uint32_t submitted, bool backlog) {
  if (!use_ring_ || !kaio::RingHasEvents(ctx_)) return;
  // First: an event that lands after the reap signals the eventfd again.
  ResetEventfd();
  shared_arrays_.counters[kSubmitReaps]++;
  const unsigned max = backlog || submitted < reap_chunk_ ? reap_chunk_ : submitted;
  bool full;
  const unsigned n = Reap(max, &full);
  shared_arrays_.submit_reaped[0] = static_cast<int32_t>(n);
  ComeBackIfMore(full);
  if (in_flight_ == 0) ReleaseLoop();
}

void NativeContext::ResetEventfd() {
  uint64_t counter;
  ssize_t r;
  do {
    r = read(eventfd_, &counter, sizeof(counter));
  } while (r < 0 && errno == EINTR);
}

void NativeContext::SignalEventfd() {
  const uint64_t one = 1;
  ssize_t w;
  do {
    w = write(eventfd_, &one, sizeof(one));
  } while (w < 0 && errno == EINTR);
}

// One wakeup: reset the eventfd, reap up to a chunk, cross into JavaScript
// once. The settled requests' continuations queue new requests, which reach
// the kernel before the next chunk is settled: with direct I/O the device
// is refilled while JavaScript works through a large batch of completions.
// Completions left behind, or arriving during the callback, signal the
// eventfd again and are taken on the next turn of the loop, so a busy
// context cannot starve it.
void NativeContext::Drain() {
  shared_arrays_.counters[kWakeups]++;
  ResetEventfd();

  bool full;
  const unsigned n = Reap(reap_chunk_, &full);
  if (n > 0) {
    shared_arrays_.counters[kCallbacks]++;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    // The owner is still strongly held here: ReleaseLoop runs after the call.
    napi_value owner = owner_.Value();
    napi_value argv[1] = {Napi::Number::New(env, n)};
    napi_value result;
    // Raw N-API: node-addon-api would build an Error on failure, which is
    // itself fatal while a worker is being terminated.
    if (napi_make_callback(env, *async_context_, owner, on_completions_.Value(), 1, argv,
                           &result) != napi_ok) {
      ReportCallbackFailure(env);
    }
  }
  if (closed_) return;
  ComeBackIfMore(full);
  if (in_flight_ == 0) ReleaseLoop();
}

// The kernel is done with the slot: its iocb may be reused and the memory
// of its buffers is no longer ours to keep.
void NativeContext::FreeSlot(uint32_t slot) {
  slots_[slot].state = SlotState::Free;
  slots_[slot].generation++;
  slots_[slot].Release();
}

void NativeContext::HoldLoop() {
  if (held_ || poll_ == nullptr) return;
  held_ = true;
  uv_ref(reinterpret_cast<uv_handle_t*>(&poll_->uv));
  owner_.Ref();
}

void NativeContext::ReleaseLoop() {
  if (!held_) return;
  held_ = false;
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&poll_->uv));
  owner_.Unref();
}
