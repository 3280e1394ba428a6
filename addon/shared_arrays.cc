#include "shared_arrays.h"

namespace {

// Lays typed arrays one after another in one ArrayBuffer, each at its own
// alignment. A layout runs twice: first to count the bytes (Make gives
// null), then, once Allocate has made the buffer, to make the arrays, so
// the two passes cannot disagree.
class Carver {
 public:
  explicit Carver(Napi::Env env) : env_(env) {}

  template <typename T>
  T* Make(const char* name, size_t length) {
    const size_t offset = (bytes_ + alignof(T) - 1) / alignof(T) * alignof(T);
    bytes_ = offset + sizeof(T) * length;
    if (counting_) return nullptr;
    arrays_.Set(name, Napi::TypedArrayOf<T>::New(env_, length, buffer_, offset));
    return reinterpret_cast<T*>(static_cast<uint8_t*>(buffer_.Data()) + offset);
  }

  // False, with the error pending, when the memory could not be had.
  bool Allocate() {
    buffer_ = Napi::ArrayBuffer::New(env_, bytes_);
    if (env_.IsExceptionPending()) return false;
    arrays_ = Napi::Object::New(env_);
    bytes_ = 0;
    counting_ = false;
    return true;
  }

  Napi::ArrayBuffer buffer() const { return buffer_; }
  Napi::Object arrays() const { return arrays_; }

 private:
  Napi::Env env_;
  bool counting_ = true;
  size_t bytes_ = 0;
  Napi::ArrayBuffer buffer_;
  Napi::Object arrays_;
};

}  // namespace

Napi::Object ShareArrays(Napi::Env env, uint32_t capacity, SharedArrays* arrays,
                         Napi::Reference<Napi::ArrayBuffer>* memory) {
  SharedArrays a;
  auto lay_out = [&a, capacity](Carver& c) {
    a.done_res = c.Make<double>("doneRes", capacity);
    a.done_res2 = c.Make<double>("doneRes2", capacity);
    a.counters = c.Make<double>("counters", kCounters);
    a.done_slot = c.Make<int32_t>("doneSlot", capacity);
    a.opcode = c.Make<int32_t>("opcode", capacity);
    a.fd = c.Make<int32_t>("fd", capacity);
    a.flags = c.Make<int32_t>("flags", capacity);
    a.priority = c.Make<int32_t>("priority", capacity);
    a.position_low = c.Make<int32_t>("positionLow", capacity);
    a.position_high = c.Make<int32_t>("positionHigh", capacity);
    a.submit_queue = c.Make<int32_t>("submitQueue", capacity);
    a.submit_reaped = c.Make<int32_t>("submitReaped", 1);
  };
  Carver carver(env);
  lay_out(carver);
  if (!carver.Allocate()) return Napi::Object();
  lay_out(carver);
  *arrays = a;
  *memory = Napi::Persistent(carver.buffer());
  return carver.arrays();
}
