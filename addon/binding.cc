// Module init: the NativeContext class, buffer helpers, probe, constants and
// the per-environment state with its cleanup hook (worker threads included).
#include <napi.h>
// node_version.h states the runtime's own NAPI_VERSION; the addon keeps the
// one binding.gyp asks for.
#pragma push_macro("NAPI_VERSION")
#undef NAPI_VERSION
#include <node_version.h>
#undef NAPI_VERSION
#pragma pop_macro("NAPI_VERSION")

#include <dlfcn.h>

#include <cerrno>
#include <linux/fs.h>
#include <mutex>
#include <string>
#include <linux/ioprio.h>
#include <poll.h>

#include "buffers.h"
#include "context.h"
#include "env.h"
#include "fd.h"
#include "probe.h"

namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  auto set = [&](const char* name, double value) { c.Set(name, Napi::Number::New(env, value)); };
  set("IOCB_CMD_PREAD", IOCB_CMD_PREAD);
  set("IOCB_CMD_PWRITE", IOCB_CMD_PWRITE);
  set("IOCB_CMD_FSYNC", IOCB_CMD_FSYNC);
  set("IOCB_CMD_FDSYNC", IOCB_CMD_FDSYNC);
  set("IOCB_CMD_POLL", IOCB_CMD_POLL);
  set("IOCB_CMD_PREADV", IOCB_CMD_PREADV);
  set("IOCB_CMD_PWRITEV", IOCB_CMD_PWRITEV);
  set("POLLIN", POLLIN);
  set("POLLPRI", POLLPRI);
  set("POLLOUT", POLLOUT);
  set("POLLERR", POLLERR);
  set("POLLHUP", POLLHUP);
  set("POLLNVAL", POLLNVAL);
  set("POLLRDNORM", POLLRDNORM);
  set("POLLRDBAND", POLLRDBAND);
  set("POLLWRNORM", POLLWRNORM);
  set("POLLWRBAND", POLLWRBAND);
  set("POLLMSG", POLLMSG);
  set("POLLRDHUP", POLLRDHUP);
  set("RWF_HIPRI", RWF_HIPRI);
  set("RWF_DSYNC", RWF_DSYNC);
  set("RWF_SYNC", RWF_SYNC);
  set("RWF_NOWAIT", RWF_NOWAIT);
  set("RWF_APPEND", RWF_APPEND);
  set("IOPRIO_CLASS_NONE", IOPRIO_CLASS_NONE);
  set("IOPRIO_CLASS_RT", IOPRIO_CLASS_RT);
  set("IOPRIO_CLASS_BE", IOPRIO_CLASS_BE);
  set("IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE);
  return c;
}

// Node unloads an addon with the last environment that loaded it (a worker
// whose main thread never imported the package). Our code can still run
// after that environment is gone: a destroyer thread returning from its last
// job, a libuv close callback run as the worker's loop is closed. So the
// library stays loaded for the life of the process, as it does anyway
// whenever the main thread has loaded it.
void KeepLoaded() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&KeepLoaded), &info) != 0 && info.dli_fname != nullptr) {
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
  });
}

// The addon holds V8 BackingStores (buffers.h), so it is tied to the V8 of
// the Node it was built against: loaded into another, the symbols may still
// resolve and then crash at the first I/O. The loader (lib/addon-file.ts)
// asks each candidate for its ABI; this refuses to start in a mismatched
// Node before anything touches V8. The runtime's ABI is process.versions.modules,
// the number node-gyp-build's prebuild names carry.
bool AbiMatches(Napi::Env env) {
  Napi::Value process = env.Global().Get("process");
  if (!process.IsObject()) return false;
  Napi::Value versions = process.As<Napi::Object>().Get("versions");
  if (!versions.IsObject()) return false;
  Napi::Value modules = versions.As<Napi::Object>().Get("modules");
  return modules.IsString() && modules.As<Napi::String>().Utf8Value() == std::to_string(NODE_MODULE_VERSION);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!AbiMatches(env)) {
    Napi::Error error = Napi::Error::New(env,
        "linux-aio: this addon was built for Node " NODE_STRINGIFY(NODE_MAJOR_VERSION) " (ABI "
        NODE_STRINGIFY(NODE_MODULE_VERSION) ") and cannot run on this Node");
    error.Set("code", Napi::String::New(env, "ERR_AIO_ABI_MISMATCH"));
    error.Set("abi", Napi::Number::New(env, NODE_MODULE_VERSION));
    error.ThrowAsJavaScriptException();
    return exports;
  }
  KeepLoaded();
  EnvState* state = EnvState::Create(env);
  if (state == nullptr) {
    Napi::Error::New(env, "linux-aio: could not set up the environment's state (uv_async_init or napi_add_async_cleanup_hook failed)")
        .ThrowAsJavaScriptException();
    return exports;
  }
  env.SetInstanceData<EnvState>(state);

  exports.Set("NativeContext", NativeContext::Define(env));
  exports.Set("allocAligned", Napi::Function::New<AllocAligned>(env, "allocAligned"));
  exports.Set("addressOf", Napi::Function::New<AddressOf>(env, "addressOf"));
  exports.Set("dioAlignment", Napi::Function::New<DioAlignment>(env, "dioAlignment"));
  exports.Set("probe", Napi::Function::New<Probe>(env, "probe"));
  exports.Set("statusFlags", Napi::Function::New<StatusFlags>(env, "statusFlags"));
  exports.Set("fileMode", Napi::Function::New<FileMode>(env, "fileMode"));
  exports.Set("seek", Napi::Function::New<Seek>(env, "seek"));
  exports.Set("constants", Constants(env));
  exports.Set("abi", Napi::Number::New(env, NODE_MODULE_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(linux_aio, Init)
