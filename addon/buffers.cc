#include "buffers.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>

#include "kaio.h"

namespace {

void FreeAligned(Napi::Env env, void* data, size_t* size) {
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(*size));
  delete size;
  std::free(data);
}

}  // namespace

Napi::Value AllocAligned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t size = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  const size_t alignment = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  void* data = nullptr;
  // A zero-byte request still gets an aligned, freeable pointer.
  int r = posix_memalign(&data, alignment, size == 0 ? alignment : size);
  if (r != 0) return Napi::Number::New(env, -r);
  std::memset(data, 0, size);
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(size));
  return Napi::Buffer<uint8_t>::New(env, static_cast<uint8_t*>(data), size,
                                    FreeAligned, new size_t(size));
}

Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value v = info[0];
  uintptr_t address = 0;
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    address = reinterpret_cast<uintptr_t>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  } else if (v.IsDataView()) {
    Napi::DataView dv = v.As<Napi::DataView>();
    address = reinterpret_cast<uintptr_t>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
  }
  return Napi::Number::New(env, static_cast<double>(address & 0xffffffffu));
}

Napi::Value DioAlignment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const std::string path = info[1].As<Napi::String>().Utf8Value();
  kaio::DioAlign align;
  int r = path.empty() ? kaio::DioAlignment(fd, "", AT_EMPTY_PATH, &align)
                       : kaio::DioAlignment(AT_FDCWD, path.c_str(), 0, &align);
  if (r < 0) return Napi::Number::New(env, r);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, align.memory));
  out.Set(1u, Napi::Number::New(env, align.offset));
  return out;
}
