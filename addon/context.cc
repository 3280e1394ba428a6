#include "context.h"

#include "buffers.h"

#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace {

inline uint64_t DataOf(uint32_t slot, uint32_t generation) {
  return (static_cast<uint64_t>(generation) << 32) | slot;
}

}  // namespace

Napi::Function NativeContext::Define(Napi::Env env) {
  Napi::Array counter_names = Napi::Array::New(env, kCounters);
  for (uint32_t i = 0; i < kCounters; i++) counter_names.Set(i, Napi::String::New(env, kCounterNames[i]));
  return DefineClass(
      env, "NativeContext",
      {
          InstanceMethod<&NativeContext::Setup>("setup"),
          InstanceMethod<&NativeContext::Submit>("submit"),
          InstanceMethod<&NativeContext::Release>("release"),
          InstanceMethod<&NativeContext::Cancel>("cancel"),
          InstanceMethod<&NativeContext::Close>("close"),
          StaticValue("counterNames", counter_names),
      });
}

NativeContext::NativeContext(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<NativeContext>(info) {
  Napi::Env env = info.Env();
  owner_ = Napi::Weak(info[0].As<Napi::Object>());
  on_completions_ = Napi::Persistent(info[1].As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "linux-aio");
  shared_arrays_.counters = no_counters_;
  env_state_ = env.GetInstanceData<EnvState>();
  env_state_->Add(this, OnEnvEnd);
}

void NativeContext::OnEnvEnd(void* self) {
  NativeContext* context = static_cast<NativeContext*>(self);
  context->Teardown(nullptr);
  context->env_state_ = nullptr;
}

// Collected while idle (in flight, the owner is held strongly): the kernel
// context is retired in the background, so a collection never waits for
// io_destroy.
NativeContext::~NativeContext() {
  Teardown(nullptr);
  if (env_state_ != nullptr) env_state_->Remove(this);
}

// setup(maxEvents, useRing, targets, reapChunk) -> the arrays shared with
// JavaScript (see SharedArrays), or [-errno, the call that failed].
// `targets` is JavaScript's slot-indexed array of buffers; `reapChunk` the
// most completions handed to JavaScript in one call.
Napi::Value NativeContext::Setup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t capacity = info[0].As<Napi::Number>().Uint32Value();
  const bool want_ring = info[1].As<Napi::Boolean>().Value();
  Napi::Array targets = info[2].As<Napi::Array>();
  const uint32_t reap_chunk = info[3].As<Napi::Number>().Uint32Value();
  int err = -EINVAL;
  const char* failed = ctx_ != 0 || closed_ || capacity == 0 ? "io_setup" : OpenKernel(capacity, &err);
  if (failed == nullptr) failed = WatchEventfd(env, &err);
  if (failed != nullptr) {
    Napi::Array result = Napi::Array::New(env, 2);
    result.Set(0u, Napi::Number::New(env, err));
    result.Set(1u, Napi::String::New(env, failed));
    return result;
  }
  AllocateSlots(capacity, want_ring);
  reap_chunk_ = reap_chunk == 0 || reap_chunk > capacity ? capacity : reap_chunk;
  targets_ = Napi::Persistent(targets);
  Napi::Object arrays = ShareArrays(env, capacity, &shared_arrays_, &shared_);
  if (arrays.IsEmpty()) Teardown(nullptr);  // the allocation's error is thrown
  return arrays;
}

// The eventfd, then the kernel context: at the fd limit the eventfd fails
// without an io_setup, whose undoing (io_destroy) would block the loop for
// an RCU grace period.
const char* NativeContext::OpenKernel(uint32_t capacity, int* err) {
  eventfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (eventfd_ < 0) {
    *err = -errno;
    return "eventfd";
  }
  *err = kaio::Setup(capacity, &ctx_);
  if (*err < 0) {
    close(eventfd_);
    eventfd_ = -1;
    return "io_setup";
  }
  return nullptr;
}

// The loop watches the eventfd, unreferenced until something is in flight.
// On failure everything opened so far is torn down.
const char* NativeContext::WatchEventfd(Napi::Env env, int* err) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);  // node-addon-api has no wrapper for it
  poll_ = new PollHandle;
  *err = uv_poll_init(loop, &poll_->uv, eventfd_);  // libuv errors are -errno on Linux
  if (*err != 0) {
    // Never initialized: nothing to uv_close.
    delete poll_;
    poll_ = nullptr;
    Teardown(nullptr);
    return "uv_poll_init";
  }
  poll_->uv.data = this;
  *err = uv_poll_start(&poll_->uv, UV_READABLE, OnPoll);
  if (*err != 0) {
    Teardown(nullptr);
    return "uv_poll_start";
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(&poll_->uv));
  return nullptr;
}

void NativeContext::AllocateSlots(uint32_t capacity, bool want_ring) {
  capacity_ = capacity;
  use_ring_ = want_ring && kaio::RingUsable(ctx_);
  slots_ = std::make_unique<Slot[]>(capacity);
  submit_ptrs_ = std::make_unique<struct iocb*[]>(capacity);
  events_ = std::make_unique<struct io_event[]>(capacity);
  deferred_ = std::make_unique<struct io_event[]>(capacity);
}

// Builds the slot's iocb from its fields in the shared arrays and its target and holds the memory of
// its buffers. False if the target is not what the opcode needs (JavaScript
// validated it, so only a bug gets here).
bool NativeContext::Prepare(uint32_t slot, napi_env env, napi_value target) {
  const SharedArrays& p = shared_arrays_;
  const int32_t opcode = p.opcode[slot];
  Slot* s = &slots_[slot];
  std::memset(&s->cb, 0, sizeof(s->cb));
  s->cb.aio_data = DataOf(slot, s->generation);
  s->cb.aio_lio_opcode = static_cast<uint16_t>(opcode);
  s->cb.aio_fildes = static_cast<uint32_t>(p.fd[slot]);
  s->cb.aio_offset = static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(p.position_high[slot])) << 32) |
                                          static_cast<uint32_t>(p.position_low[slot]));
  s->cb.aio_flags = IOCB_FLAG_RESFD;
  s->cb.aio_resfd = static_cast<uint32_t>(eventfd_);
  if (p.priority[slot] >= 0) {
    s->cb.aio_flags |= IOCB_FLAG_IOPRIO;
    s->cb.aio_reqprio = static_cast<int16_t>(p.priority[slot]);
  }
  switch (opcode) {
    case IOCB_CMD_PREAD:
    case IOCB_CMD_PWRITE: {
      void* data;
      size_t length;
      if (!ViewBytes(target, &data, &length, &s->store)) {
        s->store.reset();
        return false;
      }
      s->cb.aio_rw_flags = static_cast<uint32_t>(p.flags[slot]);
      s->cb.aio_buf = reinterpret_cast<uint64_t>(data);
      s->cb.aio_nbytes = length;
      break;
    }
    case IOCB_CMD_PREADV:
    case IOCB_CMD_PWRITEV: {
      bool is_array = false;
      uint32_t count = 0;
      if (napi_is_array(env, target, &is_array) != napi_ok || !is_array ||
          napi_get_array_length(env, target, &count) != napi_ok) {
        return false;
      }
      std::vector<struct iovec>& iov = s->iov;
      if (iov.size() < count) iov.resize(count);
      s->stores.resize(count);
      for (uint32_t i = 0; i < count; i++) {
        napi_value view;
        if (napi_get_element(env, target, i, &view) != napi_ok ||
            !ViewBytes(view, &iov[i].iov_base, &iov[i].iov_len, &s->stores[i])) {
          s->stores.clear();
          return false;
        }
      }
      s->cb.aio_rw_flags = static_cast<uint32_t>(p.flags[slot]);
      s->cb.aio_buf = reinterpret_cast<uint64_t>(iov.data());
      s->cb.aio_nbytes = count;
      break;
    }
    case IOCB_CMD_POLL:
      s->cb.aio_buf = static_cast<uint32_t>(p.flags[slot]);
      break;
    case IOCB_CMD_FSYNC:
    case IOCB_CMD_FDSYNC:
      break;
    default:
      return false;
  }
  s->state = SlotState::Prepared;
  return true;
}

// submit(start, count): prepares the slots named in the shared submit queue
// at [start, start + count) (those not already prepared) and hands them to
// the kernel in one io_submit. Returns how many the kernel took, or -errno
// for the first one when it took none (-EINVAL when it could not be
// prepared). Slots not taken stay prepared until JavaScript releases or
// resubmits them.
Napi::Value NativeContext::Submit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t start = info[0].As<Napi::Number>().Uint32Value();
  const uint32_t count = info[1].As<Napi::Number>().Uint32Value();
  if (closed_ || count == 0 || count > capacity_ || start > capacity_ - count) return Napi::Number::New(env, -EINVAL);
  napi_value targets = targets_.Value();
  uint32_t ready = 0;
  for (; ready < count; ready++) {
    const uint32_t slot = static_cast<uint32_t>(shared_arrays_.submit_queue[start + ready]);
    if (slot >= capacity_ || slots_[slot].state == SlotState::InFlight) break;
    if (slots_[slot].state == SlotState::Free) {
      napi_value target;
      if (napi_get_element(env, targets, slot, &target) != napi_ok || !Prepare(slot, env, target)) break;
    }
    submit_ptrs_[ready] = &slots_[slot].cb;
  }
  if (ready == 0) return Napi::Number::New(env, -EINVAL);
  shared_arrays_.counters[kSubmitSyscalls]++;
  const bool backlog = use_ring_ && kaio::RingHasEvents(ctx_);
  long r = kaio::Submit(ctx_, ready, submit_ptrs_.get());
  if (r > 0) {
    for (long i = 0; i < r; i++) {
      slots_[static_cast<uint32_t>(shared_arrays_.submit_queue[start + i])].state = SlotState::InFlight;
    }
    in_flight_ += static_cast<uint32_t>(r);
    HoldLoop();
    ReapAfterSubmit(static_cast<uint32_t>(r), backlog);
  }
  return Napi::Number::New(env, static_cast<double>(r));
}

// release(slot): give back a prepared slot the kernel refused.
Napi::Value NativeContext::Release(const Napi::CallbackInfo& info) {
  const uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
  if (slot < capacity_ && slots_[slot].state == SlotState::Prepared) FreeSlot(slot);
  return info.Env().Undefined();
}

// cancel(slot) -> io_cancel's answer: 0 or -EINPROGRESS when accepted.
Napi::Value NativeContext::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
  if (closed_ || slot >= capacity_ || slots_[slot].state != SlotState::InFlight) {
    return Napi::Number::New(env, -EINVAL);
  }
  struct io_event ev = {};
  int r = kaio::Cancel(ctx_, &slots_[slot].cb, &ev);
  if (r == 0) {
    // Older kernels hand the event back here instead of through the ring;
    // deliver it through the ordinary path so it settles exactly once.
    deferred_[deferred_count_++] = ev;
    SignalEventfd();
  }
  return Napi::Number::New(env, r);
}

// close(done) -> true if done() will be called once io_destroy has returned,
// false if there is nothing left to destroy. JavaScript calls it once every
// request has completed.
Napi::Value NativeContext::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_ref done = nullptr;
  if (closed_ || ctx_ == 0 || napi_create_reference(env, info[0], 1, &done) != napi_ok) {
    Teardown(nullptr);
    return Napi::Boolean::New(env, false);
  }
  return Napi::Boolean::New(env, Teardown(done));
}

bool NativeContext::Teardown(napi_ref done) {
  if (closed_) return false;
  closed_ = true;
  if (poll_ != nullptr) {
    uv_poll_stop(&poll_->uv);
    poll_->uv.data = nullptr;
    env_state_->ClosePoll(poll_);
    poll_ = nullptr;
  }
  if (eventfd_ >= 0) {
    // The kernel holds its own reference for requests still in flight.
    close(eventfd_);
    eventfd_ = -1;
  }
  if (held_) {
    held_ = false;
    owner_.Unref();
  }
  in_flight_ = 0;
  deferred_count_ = 0;
  capacity_ = 0;  // the slots go with the kernel context
  if (ctx_ == 0) {
    slots_.reset();
    return false;
  }
  env_state_->Retire(ctx_, std::move(slots_), done);
  ctx_ = 0;
  return done != nullptr;
}
