// FileHandle methods of direct-I/O handles (opened with O_DIRECT or
// `{ direct: true }`): node's argument forms and results, on a DirectFile.
//
// Each function returns the work to run (the caller holds the handle's
// reference around it), or null when node must see the arguments: node then
// throws its own validation error.
import { fstatSync, constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { checkAborted } from './abort.js';
import { type DioAlignment, dioAlignment, isAligned } from './buffers.js';
import { IO_MAX_LENGTH, IOV_MAX } from './constants.js';
import { type AioContext } from './context.js';
import { type BlockIO, DirectFile, FileLocks } from './direct-io.js';
import { errnoError, invalidArgType } from './errors.js';
import {
  CURRENT, type ReadFileOptions, bytesOf, nullProto, readArgs, vectorArgs, writeArgs, writeStringArgs,
} from './handle-args.js';
import { binding } from './native.js';
import type { NodeMethods } from './node-methods.js';
import { policyStats, readOptionsFor, readRoute, recordKernel, type Route, writeRoute } from './policy.js';
import type { ReadRules } from './read-rules.js';
import type { AioRequest } from './request.js';

const { O_APPEND, O_CREAT, O_DIRECT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY, S_IFMT, S_IFREG } = fsConstants;
const UNKNOWN_SIZE_CHUNK = 64 * 1024;
/** writeFile checks its signal between pieces of this size. */
const WRITE_FILE_CHUNK = 8 << 20;

type Work<T> = (() => Promise<T>) | null;

const O_ACCMODE = O_RDONLY | O_WRONLY | O_RDWR;

// node's stringToFlags (lib/internal/fs/utils.js).
const STRING_FLAGS: Record<string, number> = {
  'r': O_RDONLY, 'rs': O_RDONLY | O_SYNC, 'sr': O_RDONLY | O_SYNC,
  'r+': O_RDWR, 'rs+': O_RDWR | O_SYNC, 'sr+': O_RDWR | O_SYNC,
  'w': O_TRUNC | O_CREAT | O_WRONLY, 'wx': O_TRUNC | O_CREAT | O_WRONLY | O_EXCL, 'xw': O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  'w+': O_TRUNC | O_CREAT | O_RDWR, 'wx+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL, 'xw+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  'a': O_APPEND | O_CREAT | O_WRONLY, 'ax': O_APPEND | O_CREAT | O_WRONLY | O_EXCL, 'xa': O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  'as': O_APPEND | O_CREAT | O_WRONLY | O_SYNC, 'sa': O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  'a+': O_APPEND | O_CREAT | O_RDWR, 'ax+': O_APPEND | O_CREAT | O_RDWR | O_EXCL, 'xa+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'as+': O_APPEND | O_CREAT | O_RDWR | O_SYNC, 'sa+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

export interface OpenPlan {
  /** The flags to hand node's open(): the caller's, or numeric ones. */
  flags: unknown;
  /** Flags to retry with when `flags` is refused with EACCES, or null. */
  retryFlags: number | null;
  /** Open for direct I/O. */
  direct: boolean;
  /** O_APPEND, emulated by the DirectFile. */
  append: boolean;
  /** Opened for reading only because read-modify-write needs it: reads are refused. */
  writeOnly: boolean;
  /** The flags as asked for (O_DIRECT included), for a plain O_DIRECT open. */
  asked: number;
}

/**
 * open()'s flags with `options.direct` applied. A direct file is opened
 * without O_APPEND (DirectFile appends by itself) and, when write-only,
 * for reading too (partial blocks are read, modified and written back).
 * Flags node would refuse are passed on as they are, for node to refuse.
 */
export function openPlan(flags: unknown, options: unknown): OpenPlan {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgType('options', 'of type object', options);
  }
  const direct = (options as { direct?: unknown } | undefined)?.direct;
  if (direct !== undefined && typeof direct !== 'boolean') throw invalidArgType('options.direct', 'of type boolean', direct);
  let numeric: number | undefined;
  if (flags === undefined || flags === null) numeric = O_RDONLY;
  else if (typeof flags === 'string') numeric = Object.hasOwn(STRING_FLAGS, flags) ? STRING_FLAGS[flags] : undefined;
  else if (typeof flags === 'number' && Number.isInteger(flags)) numeric = flags;
  const buffered = { flags, retryFlags: null, direct: false, append: false, writeOnly: false, asked: 0 };
  if (numeric === undefined) return buffered;
  if (direct === true) numeric |= O_DIRECT;
  if ((numeric & O_DIRECT) === 0) return buffered;
  const append = (numeric & O_APPEND) !== 0;
  const plain = numeric & ~O_APPEND;
  if ((plain & O_ACCMODE) !== O_WRONLY) {
    return { flags: plain, retryFlags: null, direct: true, append, writeOnly: false, asked: numeric };
  }
  // Without read permission, node's O_WRONLY open: partial blocks then fail as a read would.
  return { flags: (plain & ~O_ACCMODE) | O_RDWR, retryFlags: plain, direct: true, append, writeOnly: true, asked: numeric };
}

// One FileLocks per file (device and inode) while any direct handle of it lives.
const locksByFile = new Map<string, WeakRef<FileLocks>>();
const forgetLocks = new FinalizationRegistry<string>((key) => {
  if (locksByFile.get(key)?.deref() === undefined) locksByFile.delete(key);
});

function locksOf(fd: number): FileLocks {
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

/** O_DIRECT alignment of the open file; 4096 where statx does not say. */
function alignmentOf(fd: number): DioAlignment {
  let known = null;
  try {
    known = dioAlignment(fd);
  } catch {
    // statx failed: the safe default below
  }
  if (known === null || known.offset === 0) return { memory: 4096, offset: 4096 };
  return { memory: Math.max(known.memory, 1), offset: known.offset };
}

/** What a direct handle emulates over its fd. */
export interface DirectOpen {
  /** O_APPEND was asked for. */
  append: boolean;
  /** Only writing was asked for (the fd can read, for read-modify-write). */
  writeOnly: boolean;
}

/**
 * The DirectFile of an O_DIRECT handle. Reads go to the kernel, as do writes
 * inside the file; writes that extend it go to the threadpool (policy.ts).
 * A kernel error is redone by node, so the error is node's.
 */
export function directFile(
  fh: FileHandle, statusFlags: number, node: NodeMethods, kernel: () => AioContext | null, open: DirectOpen,
): DirectFile {
  const reads = readRoute(statusFlags);
  const readFlags = readOptionsFor(reads);
  // The kernel when the policy allows and a context exists; node's own
  // method otherwise, or when the kernel fails (so the error is node's).
  const viaPolicy = async (ctx: AioContext | null, route: Route,
    kernelOp: (ctx: AioContext) => AioRequest, nodeOp: () => Promise<number>): Promise<number> => {
    if (ctx !== null) {
      const c = await kernelOp(ctx);
      if (c.res >= 0) {
        recordKernel(route);
        return c.res;
      }
      policyStats.fallbacks++;
    } else {
      policyStats.threadpool++;
    }
    return nodeOp();
  };
  const io: BlockIO = {
    read: (views, position) => viaPolicy(kernel(), reads,
      (ctx) => (views.length === 1
        ? ctx.read(fh.fd, views[0], position, readFlags) : ctx.readv(fh.fd, views, position, readFlags)),
      async () => (views.length === 1
        ? await node.read.call(fh, views[0], 0, views[0].byteLength, position)
        : await node.readv.call(fh, views, position)).bytesRead),
    write(views, position, inPlace) {
      const route = writeRoute(statusFlags, inPlace);
      return viaPolicy(route === 'kernel' ? kernel() : null, route,
        (ctx) => (views.length === 1 ? ctx.write(fh.fd, views[0], position) : ctx.writev(fh.fd, views, position)),
        async () => (views.length === 1
          ? await node.write.call(fh, views[0], 0, views[0].byteLength, position)
          : await node.writev.call(fh, views, position)).bytesWritten);
    },
    size: () => fstatSync(fh.fd).size,
    truncate: (length) => node.truncate.call(fh, length),
    seek(offset, whence) {
      const at = binding!.seek(fh.fd, offset, whence);
      if (at < 0) throw errnoError(at, 'lseek');
      return at;
    },
    isAligned,
  };
  return new DirectFile(io, alignmentOf(fh.fd), locksOf(fh.fd), open);
}

export function directRead(file: DirectFile, args: unknown[], rules: ReadRules | null): Work<object> {
  const a = readArgs(args[0], args[1], args[2], args[3], rules);
  if (a === null) return null;
  const { buffer, offset, length, position } = a;
  return async () => nullProto({ bytesRead: await file.read([bytesOf(buffer, offset, length)], position), buffer });
}

export function directReadv(file: DirectFile, args: unknown[]): Work<object> {
  const a = vectorArgs(args[0], args[1]);
  if (a === null) return null;
  // libuv reads into the first IOV_MAX buffers only.
  const views = a.buffers.slice(0, IOV_MAX).map((b) => bytesOf(b));
  return async () => nullProto({ bytesRead: await file.read(views, a.position), buffers: args[0] });
}

export function directWrite(file: DirectFile, args: unknown[]): Work<object> {
  if (typeof args[0] === 'string') {
    const s = writeStringArgs(args[0], args[1], args[2]);
    if (s === null) return null;
    return async () => nullProto({ bytesWritten: await file.write([s.data], s.position), buffer: args[0] });
  }
  const a = writeArgs(args[0], args[1], args[2], args[3]);
  if (a === null) return null;
  const { buffer, offset, length, position } = a;
  if (length === 0) return async () => nullProto({ bytesWritten: 0, buffer });
  return async () => nullProto({ bytesWritten: await file.write([bytesOf(buffer, offset, length)], position), buffer });
}

export function directWritev(file: DirectFile, args: unknown[]): Work<object> {
  const a = vectorArgs(args[0], args[1]);
  if (a === null) return null;
  const views = a.buffers.map((b) => bytesOf(b));
  return async () => nullProto({ bytesWritten: await file.write(views, a.position), buffers: args[0] });
}

/** readFile(options): from the current position to the end of the file. */
export function directReadFile(fh: FileHandle, file: DirectFile, options: ReadFileOptions): Work<Buffer | string> {
  const st = fstatSync(fh.fd);
  const regular = (st.mode & S_IFMT) === S_IFREG;
  // node throws ERR_FS_FILE_TOO_LARGE before reading.
  if (regular && st.size > IO_MAX_LENGTH) return null;
  const { encoding, signal } = options;
  return async () => {
    checkAborted(signal);
    let data: Buffer;
    if (regular && st.size > 0) {
      // As node: up to the size fstat gave, from the current position.
      const buffer = Buffer.allocUnsafeSlow(st.size);
      let total = 0;
      while (total < buffer.length) {
        const n = await file.read([buffer.subarray(total)], CURRENT);
        if (n === 0) break;
        total += n;
      }
      data = total === buffer.length ? buffer : buffer.subarray(0, total);
    } else {
      const chunks: Buffer[] = [];
      for (;;) {
        checkAborted(signal);
        const chunk = Buffer.allocUnsafeSlow(UNKNOWN_SIZE_CHUNK);
        const n = await file.read([chunk], CURRENT);
        if (n === 0) break;
        chunks.push(chunk.subarray(0, n));
      }
      data = Buffer.concat(chunks);
    }
    checkAborted(signal);
    return encoding ? data.toString(encoding) : data;
  };
}

function isCustomIterable(data: unknown): data is Iterable<unknown> | AsyncIterable<unknown> {
  if (data === null || data === undefined || typeof data === 'string' || ArrayBuffer.isView(data)) return false;
  const o = data as Record<symbol, unknown>;
  return typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function';
}

/** writeFile / appendFile (data, options): at the current position, as node's writeFileHandle does. */
export function directWriteFile(file: DirectFile, data: unknown, options: unknown): Work<void> {
  let encoding: unknown = 'utf8';
  let signal: unknown;
  if (typeof options === 'string') {
    encoding = options;
  } else if (options !== null && typeof options === 'object') {
    const o = options as { encoding?: unknown; signal?: unknown; flush?: unknown };
    encoding = o.encoding || 'utf8';
    signal = o.signal;
    if (o.flush !== undefined && o.flush !== null && typeof o.flush !== 'boolean') return null;
  } else if (options !== undefined && options !== null && typeof options !== 'function') {
    return null;
  }
  // ('buffer' passes node's checks, and only matters to strings, where Buffer.from throws.)
  if (encoding === 'buffer' && ArrayBuffer.isView(data)) encoding = 'utf8';
  if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)) return null;
  if (signal !== undefined && !(signal instanceof AbortSignal)) return null;
  const enc = encoding;
  const abort = signal as AbortSignal | undefined;
  const writeAll = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.byteLength;) {
      if (at > 0) checkAborted(abort);
      const piece = bytes.subarray(at, Math.min(bytes.byteLength, at + WRITE_FILE_CHUNK));
      const n = await file.write([piece], CURRENT);
      if (n === 0) break;
      at += n;
    }
  };
  if (typeof data === 'string' || ArrayBuffer.isView(data)) {
    const bytes = typeof data === 'string' ? Buffer.from(data, enc) : bytesOf(data);
    return async () => {
      checkAborted(abort);
      await writeAll(bytes);
    };
  }
  if (!isCustomIterable(data)) return null;
  return async () => {
    checkAborted(abort);
    for await (const chunk of data) {
      checkAborted(abort);
      await writeAll(ArrayBuffer.isView(chunk) ? bytesOf(chunk) : Buffer.from(chunk as string, enc));
      checkAborted(abort);
    }
  };
}
