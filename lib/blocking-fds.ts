// io_submit runs a read or write of a pipe, a socket or an anonymous-inode
// file (eventfd, timerfd, signalfd, userfaultfd) synchronously, on the
// calling thread: opened without O_NONBLOCK, a read waits for another party,
// and the event loop with it, for ever. Such requests go to the kernel with
// RWF_NOWAIT, so they complete with -EAGAIN instead, as they would on an
// O_NONBLOCK fd (poll for POLLIN/POLLOUT first).
//
// Anonymous inodes (anon_inodefs, pidfs) carry no file type in st_mode, and
// telling their kinds apart costs a readlink of /proc/self/fd/N, six times an
// fstat. It is not needed: the kernel takes RWF_NOWAIT only from a file that
// promises to honour it (FMODE_NOWAIT) and refuses it with -EOPNOTSUPP at
// submission from any other, so no anonymous kind can block under it. On
// Linux 6.18 the kinds whose reads wait (eventfd, timerfd, signalfd,
// userfaultfd) honour it; the others tried (inotify, fanotify, epoll, pidfd,
// io_uring, perf_event, bpf, kvm) have no kernel-AIO read or write at all,
// refused either way (-EINVAL without RWF_NOWAIT).
//
// Regular files, directories, block devices and character devices are left
// alone: the first three never wait for another party, and drivers of the
// last (a USB gadget endpoint) may run truly asynchronous I/O that RWF_NOWAIT
// would refuse.
import { constants as fsConstants } from 'node:fs';

import { binding } from './native.js';

const { O_NONBLOCK, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } = fsConstants;

/** True if a read or write of `fd` could block io_submit until another party acts. */
export function mayBlockSubmit(fd: number): boolean {
  const mode = binding!.fileMode(fd);
  if (mode < 0) return false; // a bad fd: io_submit refuses it (EBADF)
  const type = mode & S_IFMT;
  if (type === S_IFREG) return false;
  if (type !== S_IFIFO && type !== S_IFSOCK && type !== 0) return false;
  const flags = binding!.statusFlags(fd);
  return flags >= 0 && (flags & O_NONBLOCK) === 0;
}
