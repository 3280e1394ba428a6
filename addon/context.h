// Native half of AioContext: the iocb slots, the eventfd watched by a
// uv_poll_t, batched submission and cancellation (context.cc), and reaping
// (reap.cc). Policy (queueing, retries, who won a cancel, errors) lives in
// lib/: context.ts, request-queue.ts, submitter.ts, settler.ts, request.ts and
// errors.ts; slot-table.ts is this file's JavaScript side.
//
// API style: node-addon-api (Napi::) here, with raw napi_* in three cases
// only. Calls that can fail while the environment is being torn down (a
// worker's termination: the reads of `targets` in Submit and Prepare, the
// callback in Drain), where node-addon-api would build an Error, itself
// fatal then; their failure is a return value. The reference Close hands to
// EnvState, which deletes it with raw N-API. And the uv loop, which
// node-addon-api does not wrap. env.h says why EnvState is raw N-API
// throughout.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>

#include "env.h"
#include "kaio.h"
#include "shared_arrays.h"
#include "slot.h"

class NativeContext : public Napi::ObjectWrap<NativeContext> {
 public:
  static Napi::Function Define(Napi::Env env);

  // new NativeContext(owner, onCompletions)
  explicit NativeContext(const Napi::CallbackInfo& info);
  ~NativeContext() override;

  // Idempotent: stops and closes the poll handle and the eventfd, and
  // retires the kernel context with the slots (see EnvState::Retire): true
  // if `done` will be called once io_destroy has returned. Never blocks.
  // Safe from JavaScript, from the finalizer and from the env cleanup hook.
  bool Teardown(napi_ref done);

 private:
  Napi::Value Setup(const Napi::CallbackInfo& info);
  Napi::Value Submit(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  // Steps of Setup (with AllocateSlots and ShareArrays). Each returns the
  // call that failed (its -errno in `*err`), or null.
  const char* OpenKernel(uint32_t capacity, int* err);
  const char* WatchEventfd(Napi::Env env, int* err);
  void AllocateSlots(uint32_t capacity, bool want_ring);

  static void OnEnvEnd(void* self);
  bool Prepare(uint32_t slot, napi_env env, napi_value target);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void Drain();
  void ReapAfterSubmit(uint32_t submitted, bool backlog);
  void ResetEventfd();
  void SignalEventfd();
  void ComeBackIfMore(bool full);
  unsigned Reap(unsigned max, bool* full);
  void HoldLoop();
  void ReleaseLoop();
  void FreeSlot(uint32_t slot);

  EnvState* env_state_ = nullptr;
  Napi::ObjectReference owner_;        // weak while idle, strong while in flight
  Napi::FunctionReference on_completions_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  Napi::Reference<Napi::ArrayBuffer> shared_;  // holds the memory of shared_arrays_
  // Slot-indexed JavaScript array: the view, or the array of views, of each
  // slot that JavaScript is about to submit.
  Napi::Reference<Napi::Array> targets_;

  aio_context_t ctx_ = 0;
  int eventfd_ = -1;
  PollHandle* poll_ = nullptr;  // freed in its close callback
  bool use_ring_ = false;
  bool held_ = false;
  bool closed_ = false;

  uint32_t capacity_ = 0;
  uint32_t reap_chunk_ = 0;  // the most completions per call into JavaScript
  uint32_t in_flight_ = 0;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<struct iocb*[]> submit_ptrs_;
  std::unique_ptr<struct io_event[]> events_;
  std::unique_ptr<struct io_event[]> deferred_;  // from io_cancel returning 0
  uint32_t deferred_count_ = 0;
  SharedArrays shared_arrays_;
  // Defensive: counting needs no null check, though no path counts before
  // setup() has shared the real counters.
  double no_counters_[kCounters] = {};
};
