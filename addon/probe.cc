#include "probe.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kaio.h"

namespace {

// Submits one iocb and waits up to a second for its completion.
long RunOne(aio_context_t ctx, struct iocb* cb) {
  struct iocb* list[1] = {cb};
  long r = kaio::Submit(ctx, 1, list);
  if (r < 0) return r;
  struct io_event ev = {};
  struct timespec timeout = {1, 0};
  r = kaio::GetEvents(ctx, 1, 1, &ev, &timeout);
  if (r < 0) return r;
  if (r == 0) return -ETIMEDOUT;
  return static_cast<long>(ev.res);
}

}  // namespace

Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  aio_context_t ctx = 0;
  int r = kaio::Setup(4, &ctx);
  out.Set("setup", Napi::Number::New(env, r));
  if (r < 0) return out;

  int fds[2] = {-1, -1};
  long poll_res = -errno, nowait_res = -errno, fsync_res = -errno;
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    const char byte = 'x';
    if (write(fds[1], &byte, 1) == 1) {
      struct iocb cb;
      std::memset(&cb, 0, sizeof(cb));
      cb.aio_lio_opcode = IOCB_CMD_POLL;
      cb.aio_fildes = static_cast<uint32_t>(fds[0]);
      cb.aio_buf = POLLIN;
      poll_res = RunOne(ctx, &cb);

      char sink;
      std::memset(&cb, 0, sizeof(cb));
      cb.aio_lio_opcode = IOCB_CMD_PREAD;
      cb.aio_fildes = static_cast<uint32_t>(fds[0]);
      cb.aio_buf = reinterpret_cast<uint64_t>(&sink);
      cb.aio_nbytes = 1;
      cb.aio_rw_flags = RWF_NOWAIT;
      nowait_res = RunOne(ctx, &cb);
    }
    close(fds[0]);
    close(fds[1]);
  }

  int mfd = memfd_create("linux-aio-probe", MFD_CLOEXEC);
  if (mfd >= 0) {
    struct iocb cb;
    std::memset(&cb, 0, sizeof(cb));
    cb.aio_lio_opcode = IOCB_CMD_FSYNC;
    cb.aio_fildes = static_cast<uint32_t>(mfd);
    fsync_res = RunOne(ctx, &cb);
    close(mfd);
  }
  kaio::Destroy(ctx);

  out.Set("poll", Napi::Number::New(env, static_cast<double>(poll_res)));
  out.Set("nowait", Napi::Number::New(env, static_cast<double>(nowait_res)));
  out.Set("fsync", Napi::Number::New(env, static_cast<double>(fsync_res)));
  return out;
}
