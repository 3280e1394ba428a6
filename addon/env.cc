#include "env.h"

EnvState* EnvState::Create(napi_env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return nullptr;
  EnvState* state = new EnvState(env);
  napi_value name;
  uv_async_t* wake = new uv_async_t;
  if (uv_async_init(loop, wake, OnWake) != 0) {
    delete wake;
    delete state;
    return nullptr;
  }
  wake->data = state;
  uv_unref(reinterpret_cast<uv_handle_t*>(wake));
  state->wake_ = wake;
  if (napi_create_string_utf8(env, "linux-aio:close", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, nullptr, name, &state->async_context_) != napi_ok ||
      napi_add_async_cleanup_hook(env, OnCleanup, state, nullptr) != napi_ok) {
    if (state->async_context_ != nullptr) napi_async_destroy(env, state->async_context_);
    // The handle is closed on the loop; the state goes with it.
    uv_close(reinterpret_cast<uv_handle_t*>(wake), [](uv_handle_t* handle) {
      delete static_cast<EnvState*>(handle->data);
      delete reinterpret_cast<uv_async_t*>(handle);
    });
    return nullptr;
  }
  return state;
}

void EnvState::ClosePoll(PollHandle* handle) {
  handle->env = this;
  closing_polls_++;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle->uv), OnPollClosed);
}

void EnvState::Retire(aio_context_t ctx, std::unique_ptr<Slot[]> slots, napi_ref done) {
  retiring_++;
  if (done != nullptr) retiring_done_++;
  UpdateRef();
  destroyer::Destroy(new RetiredContext{ctx, std::move(slots), done, this});
}

void EnvState::Destroyed(RetiredContext* job) {
  // Sent under the lock: once the loop has taken the last job, no destroyer
  // thread touches this state or its handle again.
  std::lock_guard<std::mutex> lock(mutex_);
  destroyed_.push_back(job);
  uv_async_send(wake_);
}

// The environment is ending: no JavaScript runs from here on.
void EnvState::OnCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  EnvState* state = static_cast<EnvState*>(arg);
  state->cleanup_ = handle;
  napi_async_destroy(state->env_, state->async_context_);
  state->async_context_ = nullptr;
  std::unordered_map<void*, OnEnd> members;
  members.swap(state->members_);
  for (auto [member, on_end] : members) on_end(member);
  state->UpdateRef();
  state->FinishTeardownIfDone();
}

void EnvState::OnWake(uv_async_t* handle) {
  EnvState* state = static_cast<EnvState*>(handle->data);
  std::vector<RetiredContext*> jobs;
  {
    std::lock_guard<std::mutex> lock(state->mutex_);
    jobs.swap(state->destroyed_);
  }
  for (RetiredContext* job : jobs) state->Settle(job);
  state->UpdateRef();
  state->FinishTeardownIfDone();
}

// io_destroy has returned: the kernel is done with the job's memory.
void EnvState::Settle(RetiredContext* job) {
  job->slots.reset();
  retiring_--;
  if (job->done != nullptr) {
    retiring_done_--;
    if (cleanup_ == nullptr) {
      napi_handle_scope scope;
      if (napi_open_handle_scope(env_, &scope) == napi_ok) {
        napi_value done;
        napi_value recv;
        napi_value result;
        if (napi_get_reference_value(env_, job->done, &done) == napi_ok &&
            napi_get_global(env_, &recv) == napi_ok &&
            napi_make_callback(env_, async_context_, recv, done, 0, nullptr, &result) != napi_ok) {
          ReportCallbackFailure(env_);
        }
        napi_close_handle_scope(env_, scope);
      }
    }
    napi_delete_reference(env_, job->done);
  }
  delete job;
}

void EnvState::OnPollClosed(uv_handle_t* handle) {
  PollHandle* poll = reinterpret_cast<PollHandle*>(handle);
  EnvState* state = poll->env;
  delete poll;
  state->closing_polls_--;
  state->FinishTeardownIfDone();
}

// Referenced while a close() waits (as a pending request would be), and
// while the ending environment waits: its loop then sleeps until a
// destroyer thread wakes it instead of spinning.
void EnvState::UpdateRef() {
  if (wake_closing_) return;
  uv_handle_t* handle = reinterpret_cast<uv_handle_t*>(wake_);
  if (retiring_done_ > 0 || (cleanup_ != nullptr && retiring_ > 0)) {
    uv_ref(handle);
  } else {
    uv_unref(handle);
  }
}

void EnvState::FinishTeardownIfDone() {
  if (cleanup_ == nullptr || wake_closing_ || retiring_ > 0 || closing_polls_ > 0) return;
  wake_closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(wake_), OnWakeClosed);
}

void EnvState::OnWakeClosed(uv_handle_t* handle) {
  EnvState* state = static_cast<EnvState*>(handle->data);
  delete reinterpret_cast<uv_async_t*>(handle);
  state->wake_ = nullptr;
  // The environment may now go, and this state with it.
  napi_remove_async_cleanup_hook(state->cleanup_);
}

void ReportCallbackFailure(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return;
  napi_value error;
  if (napi_get_and_clear_last_exception(env, &error) != napi_ok) return;
  napi_valuetype type;
  if (napi_typeof(env, error, &type) == napi_ok && type != napi_null) {
    napi_fatal_exception(env, error);
  }
}
