#include "fd.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Napi::Value StatusFlags(const Napi::CallbackInfo& info) {
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const int r = fcntl(fd, F_GETFL);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : r);
}

Napi::Value FileMode(const Napi::CallbackInfo& info) {
  const int fd = info[0].As<Napi::Number>().Int32Value();
  struct stat st;
  const int r = fstat(fd, &st);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : static_cast<double>(st.st_mode));
}

Napi::Value Seek(const Napi::CallbackInfo& info) {
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const off_t offset = static_cast<off_t>(info[1].As<Napi::Number>().DoubleValue());
  const int whence = info[2].As<Napi::Number>().Int32Value();
  const off_t r = lseek(fd, offset, whence);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : static_cast<double>(r));
}
