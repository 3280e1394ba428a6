// io_destroy off the event loop. io_destroy waits for the kernel to finish
// every request of the context and then for an RCU grace period (tens of ms
// on a VM). Each retired context gets a thread of its own (up to a cap), so
// the grace periods overlap: 200 contexts take about as long as one, where
// one thread would take 200 times as long.
#pragma once

#include <node_api.h>

#include <linux/aio_abi.h>

#include <memory>

#include "slot.h"

class EnvState;

// A kernel context on its way out, with what must outlive io_destroy.
struct RetiredContext {
  aio_context_t ctx;
  // The memory of requests still in flight: let go only once io_destroy has
  // returned, on the owning environment's loop.
  std::unique_ptr<Slot[]> slots;
  // JavaScript to call on that loop afterwards (close()'s), or null.
  napi_ref done;
  EnvState* env;
};

namespace destroyer {

// Runs io_destroy(job->ctx) on a background thread, then hands the job to
// job->env->Destroyed() from that thread. Only where the process cannot
// start a thread at all does it run on the calling thread.
void Destroy(RetiredContext* job);

}  // namespace destroyer
