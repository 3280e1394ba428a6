// Per-environment state (the main thread, or one worker): its live
// contexts, and what is still on its way out when the environment ends.
//
// Teardown is asynchronous (napi_add_async_cleanup_hook): when the
// environment ends, every live context stops polling and is retired (its
// io_destroy runs in the background, see destroyer.h), and the environment
// waits, turning its loop, until every poll handle has closed and every
// io_destroy has returned. Only then is the memory of requests that were in
// flight let go, and only then may the environment (and with it the heap
// that memory may belong to) go. A synchronous hook would have to choose
// between blocking on each io_destroy in turn (an RCU grace period, tens of
// ms, each) and letting the kernel write into memory the environment frees.
//
// API style: raw N-API (napi_*) throughout, unlike the rest of the addon.
// node-addon-api wraps only synchronous cleanup hooks, not
// napi_add_async_cleanup_hook; and all of this runs while the environment
// ends, when a failed call must be a return value to check, not a
// Napi::Error thrown or a fatal error.
#pragma once

#include <node_api.h>
#include <uv.h>

#include <linux/aio_abi.h>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "destroyer.h"
#include "slot.h"

class EnvState;

// A context's uv_poll_t (first, so libuv's pointer is this struct's), and
// the environment that waits for it once it is closing: its data stays the
// context's, or null, for the poll callback alone.
struct PollHandle {
  uv_poll_t uv;
  EnvState* env = nullptr;
};

class EnvState {
 public:
  // The state of `env`, its cleanup hook registered; null on failure.
  static EnvState* Create(napi_env env);

  // What ends with the environment (each context): `on_end(member)` runs
  // once, from the cleanup hook, unless Remove came first. It must stop,
  // retire everything and forget the environment, and run no JavaScript.
  using OnEnd = void (*)(void* member);
  void Add(void* member, OnEnd on_end) { members_.emplace(member, on_end); }
  void Remove(void* member) { members_.erase(member); }

  // Closes a poll handle; the environment's teardown waits for it.
  void ClosePoll(PollHandle* handle);
  // Hands a kernel context to the destroyer. Once io_destroy has returned,
  // `slots` is let go and `done` (if any) called, on this loop.
  void Retire(aio_context_t ctx, std::unique_ptr<Slot[]> slots, napi_ref done);
  // From a destroyer thread: `job`'s io_destroy has returned.
  void Destroyed(RetiredContext* job);

 private:
  explicit EnvState(napi_env env) : env_(env) {}

  static void OnCleanup(napi_async_cleanup_hook_handle handle, void* arg);
  static void OnWake(uv_async_t* handle);
  static void OnPollClosed(uv_handle_t* handle);
  static void OnWakeClosed(uv_handle_t* handle);
  void Settle(RetiredContext* job);
  void UpdateRef();
  void FinishTeardownIfDone();

  napi_env env_;
  napi_async_context async_context_ = nullptr;  // for close() callbacks
  std::unordered_map<void*, OnEnd> members_;
  // Woken by destroyer threads; referenced (keeps the loop alive) while a
  // close() waits or the environment is ending.
  uv_async_t* wake_ = nullptr;

  std::mutex mutex_;
  std::vector<RetiredContext*> destroyed_;  // guarded by mutex_

  // Loop thread only.
  uint32_t retiring_ = 0;       // retired, not yet settled here
  uint32_t retiring_done_ = 0;  // of which with a close() waiting
  uint32_t closing_polls_ = 0;
  napi_async_cleanup_hook_handle cleanup_ = nullptr;  // set once the env ends
  bool wake_closing_ = false;
};

// A call into JavaScript failed: the function threw (a bug in lib/), reported
// as an uncaught exception, or the environment is terminating, when the
// exception is null and nothing can run, so nothing to report.
void ReportCallbackFailure(napi_env env);
