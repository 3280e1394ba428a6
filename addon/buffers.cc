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

// Data pointer and byte length of any ArrayBufferView, SharedArrayBuffer-backed
// ones included. Asking V8 for the data moves an on-heap typed array's bytes
// off the heap, so the pointer stays valid while JavaScript keeps the view.
bool ViewBytes(napi_env env, napi_value v, void** data, size_t* length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count;
    if (napi_get_typedarray_info(env, v, &type, &count, data, nullptr, nullptr) != napi_ok) return false;
    size_t width = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: width = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
      default: break;
    }
    *length = count * width;
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    return napi_get_dataview_info(env, v, length, data, nullptr, nullptr) == napi_ok;
  }
  return false;
}

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
  void* data = nullptr;
  size_t length = 0;
  ViewBytes(info.Env(), info[0], &data, &length);
  const uintptr_t address = reinterpret_cast<uintptr_t>(data);
  return Napi::Number::New(info.Env(), static_cast<double>(address & 0xffffffffu));
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
