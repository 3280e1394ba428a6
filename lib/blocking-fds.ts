// io_submit runs a read or write on a pipe or socket synchronously, on the
// calling thread: on an empty pipe opened without O_NONBLOCK it would wait
// for a writer, and the event loop with it, for ever. Such requests go to
// the kernel with RWF_NOWAIT, so they complete with -EAGAIN instead, as they
// would on an O_NONBLOCK fd (poll for POLLIN/POLLOUT first). Regular files,
// block devices and character devices are left alone: the first two never
// wait for another party, and drivers of the last (a USB gadget endpoint)
// may run truly asynchronous I/O that RWF_NOWAIT would refuse.
import { constants as fsConstants } from 'node:fs';

import { binding } from './native.js';

const { O_NONBLOCK, S_IFIFO, S_IFMT, S_IFSOCK } = fsConstants;

/** True if a read or write of `fd` could block io_submit until another party acts. */
export function mayBlockSubmit(fd: number): boolean {
  const mode = binding!.fileMode(fd);
  if (mode < 0) return false; // a bad fd: io_submit refuses it (EBADF)
  const type = mode & S_IFMT;
  if (type !== S_IFIFO && type !== S_IFSOCK) return false;
  const flags = binding!.statusFlags(fd);
  return flags >= 0 && (flags & O_NONBLOCK) === 0;
}
