// One iocb slot of a context: the request the kernel holds, and the memory
// it may touch until its completion is reaped or the context destroyed.
#pragma once

#include <v8.h>

#include <linux/aio_abi.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <vector>

// Free -> Prepared (iocb built, buffers held) -> InFlight (the kernel has
// it) -> Free when its event is reaped. A Prepared slot the kernel did not
// take goes back to Free through release().
enum class SlotState : uint8_t { Free, Prepared, InFlight };

struct Slot {
  struct iocb cb;
  uint32_t generation = 0;
  SlotState state = SlotState::Free;
  std::vector<struct iovec> iov;  // grows to the widest readv/writev seen
  // The memory of every buffer the kernel may touch, held until the slot
  // is freed: JavaScript cannot free it by detaching the ArrayBuffer, nor
  // the environment's teardown by collecting it. `store` for read/write,
  // `stores` for readv/writev.
  std::shared_ptr<v8::BackingStore> store;
  std::vector<std::shared_ptr<v8::BackingStore>> stores;

  void Release() {
    store.reset();
    stores.clear();
  }
};
