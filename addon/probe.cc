#include "probe.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kaio.h"

namespace {

// One request on `ctx`, waited for (1 s at most): its res, or -errno. The
// tries share one context (io_destroy waits for an RCU grace period), so
// each is tagged: the late event of an earlier try that timed out is
// skipped, not taken for this one's.
long TryOne(aio_context_t ctx, struct iocb* cb) {
  thread_local uint64_t tries = 0;  // workers may probe at once
  cb->aio_data = ++tries;
  struct iocb* list[1] = {cb};
  long r = kaio::Submit(ctx, 1, list);
  if (r < 0) return r;
  for (;;) {
    struct io_event ev = {};
    struct timespec timeout = {1, 0};
    r = kaio::GetEvents(ctx, 1, 1, &ev, &timeout);
    if (r == 0) return -ETIMEDOUT;
    if (r < 0) return r;
    if (ev.data == cb->aio_data) return static_cast<long>(ev.res);
  }
}

}  // namespace

Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  aio_context_t ctx = 0;
  const int setup = kaio::Setup(1, &ctx);
  out.Set("setup", Napi::Number::New(env, setup));
  if (setup < 0) return out;

  long poll_res, nowait_res, fsync_res;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    poll_res = nowait_res = -errno;
  } else {
    const char byte = 'x';
    if (write(fds[1], &byte, 1) != 1) {
      poll_res = nowait_res = -errno;
    } else {
      struct iocb cb;
      std::memset(&cb, 0, sizeof(cb));
      cb.aio_lio_opcode = IOCB_CMD_POLL;
      cb.aio_fildes = static_cast<uint32_t>(fds[0]);
      cb.aio_buf = POLLIN;
      poll_res = TryOne(ctx, &cb);

      char sink;
      std::memset(&cb, 0, sizeof(cb));
      cb.aio_lio_opcode = IOCB_CMD_PREAD;
      cb.aio_fildes = static_cast<uint32_t>(fds[0]);
      cb.aio_buf = reinterpret_cast<uint64_t>(&sink);
      cb.aio_nbytes = 1;
      cb.aio_rw_flags = RWF_NOWAIT;
      nowait_res = TryOne(ctx, &cb);
    }
    close(fds[0]);
    close(fds[1]);
  }

  const int mfd = memfd_create("linux-aio-probe", MFD_CLOEXEC);
  if (mfd < 0) {
    fsync_res = -errno;
  } else {
    struct iocb cb;
    std::memset(&cb, 0, sizeof(cb));
    cb.aio_lio_opcode = IOCB_CMD_FSYNC;
    cb.aio_fildes = static_cast<uint32_t>(mfd);
    fsync_res = TryOne(ctx, &cb);
    close(mfd);
  }

  kaio::Destroy(ctx);
  out.Set("poll", Napi::Number::New(env, static_cast<double>(poll_res)));
  out.Set("nowait", Napi::Number::New(env, static_cast<double>(nowait_res)));
  out.Set("fsync", Napi::Number::New(env, static_cast<double>(fsync_res)));
  return out;
}
