// Kernel ABI values users pass in options. They are fixed by the Linux ABI,
// so they are available even where the addon is not; a test checks them
// against the C headers the addon was built with.

// poll(2) event bits, for `AioContext.poll()` and its `res`.
/** Data to read (POLLIN). */
export const POLLIN = 0x001;
/** Urgent data to read, such as TCP out-of-band data (POLLPRI). */
export const POLLPRI = 0x002;
/** Writing will not block (POLLOUT). */
export const POLLOUT = 0x004;
/** An error condition; reported in `res` even when not asked for (POLLERR). */
export const POLLERR = 0x008;
/** The peer hung up, such as the write end of a pipe being closed; reported even when not asked for (POLLHUP). */
export const POLLHUP = 0x010;
/** The fd is not open (POLLNVAL). poll(2) reports it; kernel AIO refuses a closed fd at submission with `-EBADF` instead. */
export const POLLNVAL = 0x020;
/** Normal data to read; on Linux, the same as POLLIN for most files (POLLRDNORM). */
export const POLLRDNORM = 0x040;
/** Priority-band data to read (POLLRDBAND). */
export const POLLRDBAND = 0x080;
/** Normal data can be written; on Linux, the same as POLLOUT for most files (POLLWRNORM). */
export const POLLWRNORM = 0x100;
/** Priority-band data can be written (POLLWRBAND). */
export const POLLWRBAND = 0x200;
/** Unused by Linux; accepted for completeness (POLLMSG). */
export const POLLMSG = 0x400;
/** The peer of a stream socket closed its end, or shut down writing (POLLRDHUP). */
export const POLLRDHUP = 0x2000;

// Per-request `rwFlags` (preadv2/pwritev2 flags).
/** High-priority request: polled completion on block devices that support it (RWF_HIPRI, Linux >= 4.6). */
export const RWF_HIPRI = 0x01;
/** Make this write durable like `O_DSYNC`: data, and the metadata needed to read it back (RWF_DSYNC, Linux >= 4.7). */
export const RWF_DSYNC = 0x02;
/** Make this write durable like `O_SYNC`: data and all metadata (RWF_SYNC, Linux >= 4.7). */
export const RWF_SYNC = 0x04;
/** Do not wait: a request that would block, such as a read that misses the page cache, completes at once with `-EAGAIN` (RWF_NOWAIT, Linux >= 4.14). */
export const RWF_NOWAIT = 0x08;
/** Write at the end of the file, whatever `position` says, like `O_APPEND` for this request only (RWF_APPEND, Linux >= 4.16). */
export const RWF_APPEND = 0x10;

// I/O scheduling classes for `ioprio()`.
/** No class set: the kernel derives one from the process's CPU nice value. */
export const IOPRIO_CLASS_NONE = 0;
/** Real-time: served before every other class. Needs CAP_SYS_ADMIN. */
export const IOPRIO_CLASS_RT = 1;
/** Best effort: the default class of ordinary processes. */
export const IOPRIO_CLASS_BE = 2;
/** Idle: served only when no other class has I/O waiting. */
export const IOPRIO_CLASS_IDLE = 3;

/**
 * The kernel ABI values this library's options take, in one frozen object:
 * `POLL*` event bits for `AioContext.poll()` and its `res`, `RWF_*` flags
 * for `OpOptions.rwFlags`, and `IOPRIO_CLASS_*` classes for `ioprio()`.
 * They are fixed by the Linux ABI, so they are here even where the addon
 * did not load.
 *
 * @namespace
 */
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
