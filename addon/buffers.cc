#include "buffers.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>

#include "kaio.h"

namespace {

// napi_value and v8::Local<v8::Value> are the same handle (node's v8impl
// converts them this same way); N-API has no way to hold or make an
// ArrayBuffer's memory itself.
v8::Local<v8::Value> ToLocal(napi_value value) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(value), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&local), &value, sizeof(value));
  return local;
}

napi_value FromLocal(v8::Local<v8::Value> local) {
  napi_value value;
  std::memcpy(static_cast<void*>(&value), &local, sizeof(value));
  return value;
}

void FreeAligned(void* data, size_t /*length*/, void* /*deleter_data*/) { std::free(data); }

}  // namespace

bool ViewBytes(napi_value value, void** data, size_t* length,
               std::shared_ptr<v8::BackingStore>* store) {
  v8::Local<v8::Value> local = ToLocal(value);
  if (local.IsEmpty() || !local->IsArrayBufferView()) return false;
  v8::Local<v8::ArrayBufferView> view = local.As<v8::ArrayBufferView>();
  // Buffer() moves an on-heap typed array's bytes off the heap first.
  std::shared_ptr<v8::BackingStore> backing = view->Buffer()->GetBackingStore();
  *data = backing->Data() == nullptr ? nullptr
                                     : static_cast<uint8_t*>(backing->Data()) + view->ByteOffset();
  *length = view->ByteLength();
  if (store != nullptr) *store = std::move(backing);
  return true;
}

// The memory is a V8 backing store of its own, freed when the last holder
// lets go: the ArrayBuffer, or a slot whose request the kernel has not
// finished. Node's external buffers (napi_create_external_buffer) would not
// do: an ending environment frees them in its own cleanup, whoever still
// holds their backing store.
Napi::Value AllocAligned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t size = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  const size_t alignment = static_cast<size_t>(info[1].As<Napi::Number>().DoubleValue());
  void* data = nullptr;
  // A zero-byte request still gets an aligned, freeable pointer.
  int r = posix_memalign(&data, alignment, size == 0 ? alignment : size);
  if (r != 0) return Napi::Number::New(env, -r);
  std::memset(data, 0, size);
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(data, size, FreeAligned, nullptr);
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  return Napi::Value(env, FromLocal(v8::ArrayBuffer::New(isolate, std::move(store))));
}

Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  void* data = nullptr;
  size_t length = 0;
  ViewBytes(info[0], &data, &length, nullptr);
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
