// Native half of AioContext: the iocb slots, the eventfd watched by a
// uv_poll_t, batched submission, cancellation and reaping. Policy (queueing,
// retries, who won a cancel, errors) lives in lib/context.ts.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>

#include "env.h"
#include "kaio.h"
#include "slot.h"

class NativeContext : public Napi::ObjectWrap<NativeContext>, public EnvMember {
 public:
  // The Int32 params of one slot, written by JavaScript: the request's
  // opcode, fd, rw flags (a poll's events), ioprio (or -1), and its position
  // as two unsigned halves. Shared memory instead of arguments: one call
  // submits a whole batch.
  enum Param { kOpcode, kFd, kFlags, kPriority, kPositionLow, kPositionHigh, kParams };

  static Napi::Function Define(Napi::Env env);

  // new NativeContext(owner, onCompletions)
  explicit NativeContext(const Napi::CallbackInfo& info);
  ~NativeContext() override;

  // Idempotent: stops and closes the poll handle and the eventfd, and
  // retires the kernel context with the slots (see EnvState::Retire): true
  // if `done` will be called once io_destroy has returned. Never blocks.
  // Safe from JavaScript, from the finalizer and from the env cleanup hook.
  bool Teardown(napi_ref done);
  void OnEnvEnd() override {
    Teardown(nullptr);
    env_state_ = nullptr;
  }

 private:
  Napi::Value Setup(const Napi::CallbackInfo& info);
  Napi::Value Submit(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  bool Prepare(uint32_t slot, napi_env env, napi_value target);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  void Drain();
  unsigned Reap();
  void HoldLoop();
  void ReleaseLoop();
  void FreeSlot(uint32_t slot);

  EnvState* env_state_ = nullptr;
  Napi::ObjectReference owner_;        // weak while idle, strong while in flight
  Napi::FunctionReference on_completions_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  Napi::Reference<Napi::ArrayBuffer> shared_;  // results + submit queue + params
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
  uint32_t in_flight_ = 0;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<struct iocb*[]> submit_ptrs_;
  std::unique_ptr<struct io_event[]> events_;
  std::unique_ptr<struct io_event[]> deferred_;  // from io_cancel returning 0
  uint32_t deferred_count_ = 0;
  double* results_ = nullptr;        // [slot, res, res2] * capacity_
  int32_t* submit_queue_ = nullptr;  // slot indices, written by JavaScript
  // Per slot, written by JavaScript before submit: see kParams.
  int32_t* params_ = nullptr;

  struct {
    double submit_syscalls = 0;
    double reap_syscalls = 0;
    double ring_reaps = 0;
    double callbacks = 0;
    double wakeups = 0;
  } stats_;
};
