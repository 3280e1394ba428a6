// Aligned allocation for O_DIRECT and alignment queries on caller buffers.
#pragma once

#include <napi.h>
#include <v8.h>

#include <memory>

// Data pointer and byte length of any ArrayBufferView (SharedArrayBuffer-backed
// included); false if `view` is none. With `store`, also a reference to the
// memory itself: it stays allocated while held, even if JavaScript detaches
// (transfers) the ArrayBuffer and the new owner is collected.
bool ViewBytes(napi_value view, void** data, size_t* length,
               std::shared_ptr<v8::BackingStore>* store);

// allocAligned(size, alignment) -> zero-filled ArrayBuffer, or -errno
Napi::Value AllocAligned(const Napi::CallbackInfo& info);
// addressOf(view) -> the low 32 bits of the view's first byte address, so
// JavaScript can test it against any alignment up to 2 GiB
Napi::Value AddressOf(const Napi::CallbackInfo& info);
// dioAlignment(fd, path) -> [memory, offset] (zeros when unknown), or -errno.
// With path '' the fd itself is asked (AT_EMPTY_PATH).
Napi::Value DioAlignment(const Napi::CallbackInfo& info);
