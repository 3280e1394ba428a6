// The in-process locks of direct I/O. A write that does not cover whole
// blocks reads its edge blocks and writes them back (direct-io.ts), so it
// must not overlap another write to those blocks, whichever handle of the
// file made it: the locks belong to the file (its device and inode), and
// every direct handle of it in this process shares them.
import { fstatSync } from 'node:fs';

interface Lock {
  start: number;
  end: number;
  /** Who waits for this lock to go: created on first wait. */
  waiters: (() => void)[] | null;
}

/** The in-process locks of one file, shared by all its direct handles. */
export class FileLocks {
  readonly writes = new Set<Lock>();
  readonly reads = new Set<Lock>();
  /** Writes in flight that may move EOF: while any is, the size on disk is not the file's. */
  growing = 0;
}

export function takeLock(set: Set<Lock>, start: number, end: number): Lock {
  const lock: Lock = { start, end, waiters: null };
  set.add(lock);
  return lock;
}

export function dropLock(set: Set<Lock>, lock: Lock): void {
  set.delete(lock);
  if (lock.waiters !== null) for (const wake of lock.waiters) wake();
}

/** The locks of `set` that overlap [start, end), as promises of their release. */
export function overlapping(set: Set<Lock>, start: number, end: number, out: Promise<void>[] = []): Promise<void>[] {
  for (const lock of set) {
    if (lock.start < end && start < lock.end) out.push(new Promise((wake) => (lock.waiters ??= []).push(wake)));
  }
  return out;
}

// One FileLocks per file (device and inode) while any direct handle of it lives.
const locksByFile = new Map<string, WeakRef<FileLocks>>();
const forgetLocks = new FinalizationRegistry<string>((key) => {
  if (locksByFile.get(key)?.deref() === undefined) locksByFile.delete(key);
});

/** The locks of the file open at `fd`, the same object for every fd of that file. */
export function locksOf(fd: number): FileLocks {
  const st = fstatSync(fd);
  const key = `${st.dev}:${st.ino}`;
  let locks = locksByFile.get(key)?.deref();
  if (locks === undefined) {
    locks = new FileLocks();
    locksByFile.set(key, new WeakRef(locks));
    forgetLocks.register(locks, key);
  }
  return locks;
}
