// The memory a context shares with JavaScript: where each array lies is
// written here only, and JavaScript gets the arrays by name.
#pragma once

#include <napi.h>

#include <cstdint>

// The addon's counters, shared with JavaScript as `counters`; stats()
// reports them under these names, which AioStats documents.
enum Counter { kSubmitSyscalls, kReapSyscalls, kRingReaps, kSubmitReaps, kCallbacks, kWakeups, kCounters };
inline constexpr const char* kCounterNames[kCounters] = {
    "submitSyscalls", "reapSyscalls", "ringReaps", "submitReaps", "callbacks", "wakeups",
};

// One array per field, each `capacity` long except `counters`. Shared
// memory instead of arguments: one call submits a whole batch, and one
// callback settles one.
struct SharedArrays {
  // Written by Reap, one entry per completion, before the callback.
  double* done_res = nullptr;
  double* done_res2 = nullptr;
  double* counters = nullptr;  // kCounters
  int32_t* done_slot = nullptr;
  // Written by JavaScript before submit(), per slot: the request's opcode,
  // fd, rw flags (a poll's events), ioprio (or -1), and its position as two
  // unsigned 32-bit halves.
  int32_t* opcode = nullptr;
  int32_t* fd = nullptr;
  int32_t* flags = nullptr;
  int32_t* priority = nullptr;
  int32_t* position_low = nullptr;
  int32_t* position_high = nullptr;
  // Written by JavaScript: the slots to submit, in order.
  int32_t* submit_queue = nullptr;
  // Written by submit(): how many completions it reaped into the done
  // arrays (see NativeContext::ReapAfterSubmit); JavaScript zeroes it.
  int32_t* submit_reaped = nullptr;
};

// Makes the arrays of a context of `capacity` slots in one new ArrayBuffer:
// their pointers go to `*arrays`, a reference that keeps the memory alive to
// `*memory`. Returns the arrays for JavaScript, named as in lib/native.ts;
// empty, with the error pending and `*arrays` untouched, if the memory could
// not be had.
Napi::Object ShareArrays(Napi::Env env, uint32_t capacity, SharedArrays* arrays,
                         Napi::Reference<Napi::ArrayBuffer>* memory);
