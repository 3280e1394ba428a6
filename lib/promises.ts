/**
 * `linux-aio/promises`: write `import * as fs from 'linux-aio/promises'`
 * wherever `import * as fs from 'node:fs/promises'` was. Every name of
 * node:fs/promises is here, with the same signatures, results and errors.
 * {@link open} returns node's own FileHandle with faster read, readv,
 * readFile, sync and datasync, and {@link readFile} at module level uses it.
 *
 * It never blocks the event loop. Buffered reads go to the kernel with
 * `RWF_NOWAIT` and fall back to libuv's threadpool when the page cache
 * cannot serve them; buffered writes go to the threadpool; a file opened
 * for direct I/O is read, and written inside its current size, through the
 * kernel. {@link stats}
 * counts each path. Where kernel AIO is unavailable, node:fs does all the
 * work and {@link backend} says so.
 *
 * @module linux-aio/promises
 */
import { constants as fsConstants, fstatSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

import { checkAborted } from './abort.js';
import { bounceStats } from './bounce-pool.js';
import { invalidArgType } from './errors.js';
import { adoptHandle, isDirectHandle, isNodeFileHandle, readOpenedFile, type AioFileHandle } from './file-handle.js';
import { type ReadFileOptions, readFileOptions } from './handle-args.js';
import type { AnyFn } from './node-methods.js';
import { openPlan } from './open-plan.js';
import { policyStats, type PolicyStats } from './policy.js';
import { readFileInOneTrip, readFileInOneTripKnown } from './readfile-one-trip.js';
import { backendReason, currentBackend, sharedContext, watchBackend } from './shared-context.js';

export * from 'node:fs/promises';

export type { AioFileHandle } from './file-handle.js';
export type { ReadChunksOptions } from './read-chunks.js';

/**
 * `'kernel-aio'`, or `'node-fs'` where kernel AIO is unavailable and node:fs
 * does everything. Settled by the first open() (or readFile(), stats());
 * before that it is a cheap guess. A cause that can pass (`fs.aio-max-nr`
 * exhausted, the fd table full) is tried again by the first use a second
 * or more after the last try, and `backend` follows. {@link stats} also
 * gives the reason. Setting the environment variable
 * `LINUX_AIO_BACKEND=node-fs` forces `'node-fs'`.
 */
export let backend: 'kernel-aio' | 'node-fs' = currentBackend();
watchBackend((now) => { backend = now; });

/** linux-aio's own options of {@link open}, its fourth argument. */
export interface OpenOptions {
  /**
   * Open for direct I/O (O_DIRECT): the page cache is bypassed, and reads
   * and writes take any buffer, offset and length (unaligned ones through
   * aligned bounce buffers). Same as O_DIRECT in `flags`.
   */
  direct?: boolean;
}

/**
 * Like node:fs/promises `open()`: the same arguments, errors and
 * FileHandle (`instanceof` node's own, so it can go to http2 or a worker).
 * Its `read`, `readv`, `readFile`, `sync` and `datasync` go through kernel
 * AIO where that cannot block, its `createReadStream` reads ahead, and it
 * gains {@link AioFileHandle.readChunks}.
 *
 * `options.direct` (the fourth argument, after `mode`) opens for direct
 * I/O (O_DIRECT): the page cache is bypassed, and every read and write still
 * takes any buffer, offset and length. Use it for large files read once,
 * which would only evict more useful pages from the cache. Where direct
 * I/O cannot go through kernel AIO, the handle is node's plain O_DIRECT
 * handle, with O_DIRECT's alignment rules.
 *
 * @param path - The file, as a string, Buffer or `file:` URL.
 * @param flags - As node's: a string such as `'r'` or `'w+'`, or `O_*` bits. Default `'r'`.
 * @param mode - The permissions of a file it creates. Default `0o666`.
 * @param options - linux-aio's own options; see {@link OpenOptions}.
 * @returns node's FileHandle, with linux-aio's methods.
 *
 * @example
 * {@includeCode ../examples/promises-open.mjs}
 */
export async function open(
  path: Parameters<typeof nodeFs.open>[0], flags?: string | number, mode?: Parameters<typeof nodeFs.open>[2], options?: OpenOptions,
): Promise<AioFileHandle> {
  const plan = openPlan(flags, options);
  let fh: FileHandle;
  let writeOnly = plan.writeOnly;
  try {
    fh = await nodeFs.open(path, plan.flags as string | number, mode);
  } catch (error) {
    if (plan.retryFlags === null || (error as { code?: unknown }).code !== 'EACCES') throw error;
    fh = await nodeFs.open(path, plan.retryFlags, mode);
    writeOnly = false; // the fd refuses reads by itself
  }
  sharedContext();
  const handle = adoptHandle(fh, { append: plan.append, writeOnly });
  if (!plan.direct || isDirectHandle(handle)) return handle;
  // No direct I/O here (the addon or node's FileHandle internals are
  // missing): an O_DIRECT handle as node gives it, with the flags asked for.
  await handle.close();
  return adoptHandle(await nodeFs.open(path, plan.asked, mode));
}

/**
 * Gives `handle`, a node:fs/promises FileHandle that this module did not
 * open, the methods of the handles {@link open} returns, and returns it:
 * the same object, changed for everyone who holds it (a direct one then
 * takes unaligned buffers, for instance).
 * Use it for a handle from node's own `open()`, or one received by a worker
 * thread: `postMessage(fh, [fh])` hands the receiver node's plain
 * FileHandle (its `read` goes to the threadpool; a direct one needs aligned
 * buffers again), whichever module opened it, and leaves the sender's
 * closed (`EBADF`).
 *
 * Ownership: the result is `handle` itself, not a wrapper. There is one
 * handle and one fd, so closing the result closes `handle`, and garbage
 * collection closes it as node closes its own. A handle of this module is
 * returned as it is. A closed handle is taken too; its methods then reject
 * as node's do on a closed handle.
 *
 * A handle opened with O_DIRECT gets direct I/O with any buffer, offset and
 * length, as `{ direct: true }` gives, unless it has O_APPEND too (its
 * writes could not be placed): that one keeps O_DIRECT's alignment rules.
 * What {@link open} emulated over a direct fd it opened to append or to
 * write only (see {@link OpenOptions}) does not travel with the handle:
 * adopted in another thread, it writes where it is told and can read.
 *
 * @param handle - A FileHandle of node:fs/promises.
 * @returns `handle`, with linux-aio's methods.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` when `handle` is not a FileHandle.
 *
 * @example
 * {@includeCode ../examples/promises-adopt.mjs}
 */
export function adopt(handle: FileHandle): AioFileHandle {
  if (!isNodeFileHandle(handle)) throw invalidArgType('handle', 'an instance of FileHandle', handle);
  sharedContext();
  return adoptHandle(handle);
}

/**
 * Like node:fs/promises `writeFile()`, with the same arguments and errors.
 * Buffered writes would block inside io_submit, so they go to libuv's
 * threadpool, as with node:fs. A FileHandle opened with `direct: true`
 * writes through its own direct I/O.
 *
 * @param args - node:fs/promises `writeFile()`'s arguments: file, data, options.
 *
 * @example
 * {@includeCode ../examples/promises-write-file.mjs}
 */
export async function writeFile(...args: Parameters<typeof nodeFs.writeFile>): Promise<void> {
  const [file, data, options] = args;
  if (isDirectHandle(file)) return ((file as FileHandle).writeFile as AnyFn)(data, options);
  policyStats.threadpool++;
  return nodeFs.writeFile(...args);
}

/**
 * Like node:fs/promises `appendFile()`, with the same arguments and errors.
 * Writes go to libuv's threadpool, as with node:fs; a FileHandle opened
 * with `direct: true` writes through its own direct I/O.
 *
 * @param args - node:fs/promises `appendFile()`'s arguments: path, data, options.
 *
 * @example
 * {@includeCode ../examples/promises-append-file.mjs}
 */
export async function appendFile(...args: Parameters<typeof nodeFs.appendFile>): Promise<void> {
  const [file, data, options] = args;
  if (isDirectHandle(file)) return ((file as FileHandle).appendFile as AnyFn)(data, options);
  policyStats.threadpool++;
  return nodeFs.appendFile(...args);
}

/**
 * Like node:fs/promises `readFile()`, with the same arguments, results and
 * errors. A regular file is read by parallel kernel reads with
 * `RWF_NOWAIT`, in one go when it is in the page cache; otherwise, and for
 * other files, flags and FileHandles, node:fs reads it on the threadpool.
 *
 * @param args - node:fs/promises `readFile()`'s arguments: path, options.
 * @returns A Buffer, or a string when an encoding is given.
 *
 * @example
 * {@includeCode ../examples/promises-read-file.mjs}
 */
// Not async: where node's readFile serves, its promise is returned as it is
// (an async function would wrap it, which costs more than node's one-round-trip
// read of a small file).
export function readFile(...args: Parameters<typeof nodeFs.readFile>): Promise<any> {
  try {
    const [path, options] = args;
    if (isDirectHandle(path)) return (path as FileHandle).readFile(options as Parameters<FileHandle['readFile']>[0]);
    // Where node reads a small file in one round trip, everything else is node's: no more to check.
    const oneTrip = readFileInOneTripKnown();
    if (oneTrip === true) return nodeReadFile(args);
    const isPath = typeof path === 'string' || Buffer.isBuffer(path) || path instanceof URL;
    // node opens with options.flag || 'r'; any other flag is node's to open.
    const flag = options !== null && typeof options === 'object' ? (options as { flag?: unknown }).flag || 'r' : 'r';
    const readOptions = readFileOptions(options);
    if (!isPath || flag !== 'r' || readOptions === null || sharedContext() === null) return nodeReadFile(args);
    if (oneTrip === undefined) {
      return readFileInOneTrip().then((yes) => (yes ? nodeReadFile(args) : readFileInKernel(args, readOptions)));
    }
    return readFileInKernel(args, readOptions);
  } catch (error) {
    return Promise.reject(error);
  }
}

function nodeReadFile(args: Parameters<typeof nodeFs.readFile>): Promise<any> {
  policyStats.threadpool++;
  return nodeFs.readFile(...args);
}

async function readFileInKernel(args: Parameters<typeof nodeFs.readFile>, readOptions: ReadFileOptions): Promise<any> {
  const [path, options] = args;
  // As node does it: check the signal, open, read the handle, close, and
  // report both errors.
  checkAborted(readOptions.signal);
  const fh = await nodeFs.open(path as string | Buffer | URL, 'r', 0o666);
  let result: Buffer | string;
  try {
    result = await readOpenedFile(fh, options);
  } catch (opError) {
    const again = isErrnoError(opError) && readsAgainAlike(fh.fd);
    try {
      await fh.close();
    } catch (closeError) {
      // node's aggregateTwoErrors(closeError, opError)
      const err = new AggregateError([opError, closeError], (opError as Error).message);
      (err as AggregateError & { code?: unknown }).code = (opError as { code?: unknown }).code;
      throw err;
    }
    if (!again) throw opError;
    // node's readFile errs in its own words, which differ from its
    // FileHandle's: node 26 reads a small file (or a directory) in one
    // native job whose errors name the path. node reads it again and
    // throws its own error.
    return nodeReadFile(args);
  }
  await fh.close();
  // An abort while the file closed still wins, as in node 26's readFile
  // (earlier nodes checked only between reads).
  checkAborted(readOptions.signal);
  return result;
}

function isErrnoError(e: unknown): boolean {
  const x = e as { code?: unknown; errno?: unknown; syscall?: unknown } | null;
  return typeof x?.code === 'string' && typeof x.errno === 'number' && typeof x.syscall === 'string';
}

/** Whether `fd` is a directory or a regular file, which a second read finds as the first did. */
function readsAgainAlike(fd: number): boolean {
  try {
    const type = fstatSync(fd).mode & fsConstants.S_IFMT;
    return type === fsConstants.S_IFDIR || type === fsConstants.S_IFREG;
  } catch {
    return false;
  }
}

/**
 * Counters of `linux-aio/promises` for the whole process (per worker
 * thread), from {@link stats}. They only grow.
 */
export interface DropInStats extends PolicyStats {
  /** Pieces of direct I/O copied through an aligned bounce buffer (unaligned buffers, offsets or lengths). */
  bounced: number;
  /** The same as {@link backend}, settled now. */
  backend: 'kernel-aio' | 'node-fs';
  /** Why the backend is node-fs, or null. */
  reason: string | null;
}

/**
 * How many operations took each path of the never-block policy, the
 * backend, and why it is `'node-fs'` if it is. Use it to check that a hot
 * path is served by the kernel and not by the threadpool. The first call
 * creates the shared context, if nothing else did.
 *
 * @example
 * {@includeCode ../examples/promises-stats.mjs}
 */
export function stats(): DropInStats {
  const reason = backendReason();
  sharedContext();
  return { ...policyStats, bounced: bounceStats.bounced, backend, reason };
}

/**
 * Every function of this module as one object, like node:fs/promises'
 * default export: node's own functions, with linux-aio's {@link open},
 * {@link readFile}, {@link writeFile} and {@link appendFile} in their
 * place, and {@link stats} and {@link adopt} beside them (stats' `backend` is the backend). For `import fs from 'linux-aio/promises'`.
 */
const promises = {
  ...nodeFs,
  /** linux-aio's {@link open}. */
  open,
  /** linux-aio's {@link readFile}. */
  readFile,
  /** linux-aio's {@link writeFile}. */
  writeFile,
  /** linux-aio's {@link appendFile}. */
  appendFile,
  /** linux-aio's {@link stats}. */
  stats,
  /** linux-aio's {@link adopt}. */
  adopt,
};
export default promises;
