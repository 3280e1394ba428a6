// What this kernel's AIO accepts, found by trying each operation once on
// throwaway descriptors. Raw results only; lib/probe.ts explains them.
#pragma once

#include <napi.h>

// probe() -> { setup, poll, fsync, nowait }: each the operation's result
// (>= 0) or a negative errno from io_setup, io_submit or the completion.
Napi::Value Probe(const Napi::CallbackInfo& info);
