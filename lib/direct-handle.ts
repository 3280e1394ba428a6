// Direct-I/O handles (opened with O_DIRECT or `{ direct: true }`): the
// DirectFile of a FileHandle, and the FileHandle methods on it, in node's
// argument forms and with node's results.
//
// Each direct* operation returns the work to run (the caller holds the handle's
// reference around it), or null when node must see the arguments: node then
// throws its own validation error.
import { fstatSync, constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { checkAborted } from './abort.js';
import { type DioAlignment, dioAlignment, isAligned } from './buffers.js';
import { IO_MAX_LENGTH, IOV_MAX } from './constants.js';
import { type AioContext } from './context.js';
import { type BlockIO, DirectFile } from './direct-io.js';
import { errnoError } from './errors.js';
import { locksOf } from './file-locks.js';
import { CURRENT, type ReadFileOptions, readArgs, vectorArgs, writeArgs, writeStringArgs } from './handle-args.js';
import { binding } from './native.js';
import { type NodeMethods, nullProto } from './node-methods.js';
import { policyStats, readOptionsFor, readRoute, recordKernel, type Route, writeRoute } from './policy.js';
import type { ReadRules } from './read-rules.js';
import type { AioRequest } from './request.js';
import { bytesOf } from './views.js';

const { S_IFMT, S_IFREG } = fsConstants;
const UNKNOWN_SIZE_CHUNK = 64 * 1024;
/** writeFile checks its signal between pieces of this size. */
const WRITE_FILE_CHUNK = 8 << 20;

type Work<T> = (() => Promise<T>) | null;

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
export function directFileFor(
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
