// Questions about an open file descriptor that the never-block policy needs
// answered without a threadpool round trip.
#pragma once

#include <napi.h>

// statusFlags(fd) -> fcntl(F_GETFL) flags (O_DIRECT, O_APPEND, access mode), or -errno
Napi::Value StatusFlags(const Napi::CallbackInfo& info);
// fileMode(fd) -> fstat(2)'s st_mode (file type and permissions), or -errno
Napi::Value FileMode(const Napi::CallbackInfo& info);
// seek(fd, offset, whence) -> lseek(2)'s new offset, or -errno
Napi::Value Seek(const Napi::CallbackInfo& info);
