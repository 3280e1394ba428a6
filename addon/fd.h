// Two questions about an open file descriptor the drop-in's never-block
// policy needs answered without a threadpool round trip.
#pragma once

#include <napi.h>

// statusFlags(fd) -> fcntl(F_GETFL) flags (O_DIRECT, O_APPEND, access mode), or -errno
Napi::Value StatusFlags(const Napi::CallbackInfo& info);
// seek(fd, offset, whence) -> lseek(2)'s new offset, or -errno
Napi::Value Seek(const Napi::CallbackInfo& info);
