// Kernel ABI values users pass in options. They are fixed by the Linux ABI,
// so they are available even where the addon is not; a test checks them
// against the C headers the addon was built with.

/** poll(2) event bits, for `AioContext.poll()` and its `res`. */
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLRDBAND = 0x080;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;
export const POLLMSG = 0x400;
export const POLLRDHUP = 0x2000;

/** Per-request `rwFlags` (preadv2/pwritev2 flags). */
export const RWF_HIPRI = 0x01;
export const RWF_DSYNC = 0x02;
export const RWF_SYNC = 0x04;
export const RWF_NOWAIT = 0x08;
export const RWF_APPEND = 0x10;

/** I/O scheduling classes for `ioprio()`. */
export const IOPRIO_CLASS_NONE = 0;
export const IOPRIO_CLASS_RT = 1;
export const IOPRIO_CLASS_BE = 2;
export const IOPRIO_CLASS_IDLE = 3;

export const constants = Object.freeze({
  POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND,
  POLLWRNORM, POLLWRBAND, POLLMSG, POLLRDHUP,
  RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND,
  IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE,
});

export const ALL_POLL_EVENTS = POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLNVAL |
  POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND | POLLMSG | POLLRDHUP;
export const ALL_RWF = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND;

/** Most buffers one readv/writev takes (UIO_MAXIOV). */
export const IOV_MAX = 1024;

/** lseek(2) whence values. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;

/** The largest file node:fs reads whole, and the largest single read or write (kIoMaxLength). */
export const IO_MAX_LENGTH = 2 ** 31 - 1;
