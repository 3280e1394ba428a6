// FileHandles of linux-aio/promises: node's own FileHandle objects (so they
// are `instanceof` it and work with http2, postMessage and GC close), given a
// prototype that inherits from node's and overrides the hot methods.
//
// Every override recognizes only the plain, valid forms of its arguments and
// hands anything else to node's own method, unchanged: node validates, node
// throws, node's errors. A kernel read that fails for any reason is redone
// by node too, so errors are node's to the letter.
import { fstatSync, constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { IOV_MAX } from './constants.js';
import { type AioContext } from './context.js';
import { errnoError, invalidArgType } from './errors.js';
import { binding } from './native.js';
import { policyStats, readRoute, recordKernel, rwFlagsFor, writeRoute } from './policy.js';
import { sharedContext } from './shared-context.js';
import { validateInteger } from './validate.js';

const { S_IFMT, S_IFREG } = fsConstants;
const SEEK_SET = 0;
const SEEK_CUR = 1;
// node:fs limits (lib/internal/fs/utils.js).
const READ_FILE_CHUNK = 512 * 1024;
const READ_FILE_DEPTH = 8;
const IO_MAX_LENGTH = 2 ** 31 - 1;

type AnyFn = (...args: any[]) => any;

interface Internals {
  proto: object;
  nodeProto: Record<string, AnyFn>;
  ref: symbol;
  unref: symbol;
}

let internals: Internals | null | undefined;
const statusFlagsOf = new WeakMap<object, number>();

function nullProto<T extends object>(o: T): T {
  return Object.assign(Object.create(null), o);
}

/** A non-negative safe integer: an offset, a length or a file position. */
function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function bytesOf(view: ArrayBufferView, offset: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length);
}

/** The plain forms of read(): (view, offset?, length?, position), (view, opts), (opts). */
function planRead(a0: unknown, a1: unknown, a2: unknown, a3: unknown): RangePlan | null {
  let buffer = a0;
  let offset = a1;
  let length = a2;
  let position = a3;
  if (!ArrayBuffer.isView(buffer)) {
    if (buffer === null || typeof buffer !== 'object') return null;
    ({ buffer, offset = 0, length, position = null } = buffer as Record<string, unknown>);
    if (!ArrayBuffer.isView(buffer)) return null;
  } else if (offset !== null && typeof offset === 'object') {
    ({ offset = 0, length, position = null } = offset as Record<string, unknown>);
  }
  const view = buffer as ArrayBufferView;
  offset ??= 0;
  if (!isIndex(offset)) return null;
  return planRange(view, offset, length ?? view.byteLength - offset, position);
}

type RangePlan = { buffer: ArrayBufferView; offset: number; length: number; position: number };

/** A non-empty positional range inside the buffer, or null (node decides). */
function planRange(buffer: ArrayBufferView, offset: number, length: unknown, position: unknown): RangePlan | null {
  if (!isIndex(length) || length === 0 || offset + length > buffer.byteLength || !isIndex(position)) return null;
  return { buffer, offset, length, position };
}

/** The plain forms of write() with a buffer: (view, offset?, length?, position), (view, opts). */
function planWrite(a0: unknown, a1: unknown, a2: unknown, a3: unknown): RangePlan | null {
  if (!ArrayBuffer.isView(a0) || a0.byteLength === 0) return null;
  let offset = a1;
  let length = a2;
  let position = a3;
  if (offset !== null && typeof offset === 'object') {
    ({ offset = 0, length, position = null } = offset as Record<string, unknown>);
  }
  offset ??= 0;
  if (!isIndex(offset)) return null;
  return planRange(a0, offset, typeof length === 'number' ? length : a0.byteLength - offset, position);
}

/** What is left of `views` once their first `skip` bytes are filled. */
function viewsAfter(views: readonly ArrayBufferView[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of views) {
    const drop = Math.min(skip, v.byteLength);
    skip -= drop;
    if (drop < v.byteLength) out.push(bytesOf(v, drop, v.byteLength - drop));
  }
  return out;
}

function planVector(buffers: unknown, position: unknown): ArrayBufferView[] | null {
  if (!Array.isArray(buffers) || buffers.length === 0 || buffers.length > IOV_MAX) return null;
  if (!buffers.every((b) => ArrayBuffer.isView(b))) return null;
  return isIndex(position) ? buffers : null;
}

/** The context to use for `fh`, or null when the call must go to node as it is. */
function kernelFor(fh: FileHandle): AioContext | null {
  if (fh.fd === -1 || !internals) return null; // node rejects with its 'file closed' EBADF
  const ctx = sharedContext();
  return ctx !== null && !ctx.closed ? ctx : null;
}

/**
 * Runs `kernel` with the handle referenced as node's own operations do, so
 * close() waits for it; `fallback` (node's method) runs, still referenced,
 * when the kernel path returns undefined.
 */
async function withRef<T>(fh: FileHandle, kernel: () => Promise<T | undefined>, fallback: () => Promise<T>): Promise<T> {
  const h = fh as unknown as Record<symbol, () => void>;
  const { ref, unref } = internals!;
  h[ref]();
  try {
    const result = await kernel();
    if (result !== undefined) return result;
    policyStats.fallbacks++;
    return await fallback();
  } finally {
    h[unref]();
  }
}

function delegate(fh: FileHandle, name: string, args: unknown[]): Promise<any> {
  policyStats.threadpool++;
  return internals!.nodeProto[name].apply(fh, args);
}

export interface ReadChunksOptions {
  /** Bytes per read, and at most per chunk. Default 65536. */
  chunkSize?: number;
  /** Reads kept in flight. Default 4. */
  depth?: number;
  /** First byte to read. Default 0. */
  start?: number;
  /** Last byte to read, inclusive (as in createReadStream). Default: to the end of the file. */
  end?: number;
  signal?: AbortSignal;
}

/** A node FileHandle from linux-aio/promises. */
export interface AioFileHandle extends FileHandle {
  /**
   * The file from `start` to `end` (inclusive) as Buffers in file order,
   * with `depth` reads in flight. Each read takes the never-block policy's
   * path; breaking out of the loop stops reading.
   */
  readChunks(options?: ReadChunksOptions): AsyncIterableIterator<Buffer>;
}

function chunkOptions(options: unknown): Required<Omit<ReadChunksOptions, 'signal'>> & { signal?: AbortSignal } {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
  const o = options as ReadChunksOptions;
  const chunkSize = o.chunkSize === undefined ? 65536 : validateInteger(o.chunkSize, 'options.chunkSize', 1, 2 ** 30);
  const depth = o.depth === undefined ? 4 : validateInteger(o.depth, 'options.depth', 1, 1024);
  const start = o.start === undefined ? 0 : validateInteger(o.start, 'options.start', 0, Number.MAX_SAFE_INTEGER);
  const end = o.end === undefined || o.end === Infinity
    ? Infinity : validateInteger(o.end, 'options.end', start, Number.MAX_SAFE_INTEGER);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw invalidArgType('options.signal', 'an instance of AbortSignal', o.signal);
  }
  return { chunkSize, depth, start, end, signal: o.signal };
}

async function* readChunks(fh: FileHandle, options: ReturnType<typeof chunkOptions>): AsyncGenerator<Buffer> {
  const { chunkSize, depth, end, signal } = options;
  let next = options.start;
  const inFlight: Promise<{ bytesRead: number; buffer: Buffer }>[] = [];
  const launch = () => {
    if (next > end) return;
    const length = Math.min(chunkSize, end - next + 1);
    // Settled either way: a read abandoned by an early exit must not reject unhandled.
    const read = fh.read(Buffer.allocUnsafe(length), 0, length, next) as Promise<{ bytesRead: number; buffer: Buffer }>;
    read.catch(() => {});
    inFlight.push(read);
    next += length;
  };
  for (let i = 0; i < depth; i++) launch();
  while (inFlight.length > 0) {
    checkAborted(signal);
    const { bytesRead, buffer } = await inFlight.shift()!;
    checkAborted(signal);
    if (bytesRead === 0) return;
    // read() finishes partial NOWAIT answers, so a short read is the end of the file.
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    if (bytesRead < buffer.length) return;
    launch();
  }
}

const overrides = {
  readChunks(this: FileHandle, options?: ReadChunksOptions): AsyncIterableIterator<Buffer> {
    return readChunks(this, chunkOptions(options));
  },


  read(this: FileHandle, ...args: unknown[]) {
    const ctx = kernelFor(this);
    const plan = ctx && planRead(args[0], args[1], args[2], args[3]);
    if (!plan) return delegate(this, 'read', args);
    const { buffer, offset, length, position } = plan;
    const route = readRoute(statusFlagsOf.get(this)!);
    const nodeRead = internals!.nodeProto.read;
    return withRef(this, async () => {
      const c = await ctx!.read(this.fd, bytesOf(buffer, offset, length), position, { rwFlags: rwFlagsFor(route) });
      if (c.res < 0) return undefined;
      recordKernel(route);
      let bytesRead = c.res;
      if (route === 'kernel-nowait' && bytesRead > 0 && bytesRead < length) {
        // The page cache held only the start of the range; a plain pread
        // would not stop there, so the rest comes from the threadpool.
        policyStats.fallbacks++;
        const rest = await nodeRead.call(this, buffer, offset + bytesRead, length - bytesRead, position + bytesRead);
        bytesRead += rest.bytesRead;
      }
      return nullProto({ bytesRead, buffer });
    }, () => nodeRead.call(this, buffer, offset, length, position));
  },

  readv(this: FileHandle, ...args: unknown[]) {
    const ctx = kernelFor(this);
    const buffers = ctx && planVector(args[0], args[1]);
    if (!buffers) return delegate(this, 'readv', args);
    const route = readRoute(statusFlagsOf.get(this)!);
    const position = args[1] as number;
    const total = buffers.reduce((n, b) => n + b.byteLength, 0);
    return withRef(this, async () => {
      const c = await ctx!.readv(this.fd, buffers, position, { rwFlags: rwFlagsFor(route) });
      if (c.res < 0) return undefined;
      recordKernel(route);
      let bytesRead = c.res;
      if (route === 'kernel-nowait' && bytesRead > 0 && bytesRead < total) {
        policyStats.fallbacks++; // as in read(): the rest from the threadpool
        const rest = await internals!.nodeProto.readv.call(this, viewsAfter(buffers, bytesRead), position + bytesRead);
        bytesRead += rest.bytesRead;
      }
      return nullProto({ bytesRead, buffers: args[0] });
    }, () => internals!.nodeProto.readv.apply(this, args));
  },

  write(this: FileHandle, ...args: unknown[]) {
    const ctx = kernelFor(this);
    const plan = ctx && planWrite(args[0], args[1], args[2], args[3]);
    if (!plan) return delegate(this, 'write', args);
    const { buffer, offset, length, position } = plan;
    const route = writeRoute(statusFlagsOf.get(this)!, position + length, () => fstatSync(this.fd).size);
    if (route === 'threadpool') return delegate(this, 'write', args);
    return withRef(this, async () => {
      const c = await ctx!.write(this.fd, bytesOf(buffer, offset, length), position);
      if (c.res < 0) return undefined;
      recordKernel(route);
      return nullProto({ bytesWritten: c.res, buffer });
    }, () => internals!.nodeProto.write.call(this, buffer, offset, length, position));
  },

  writev(this: FileHandle, ...args: unknown[]) {
    const ctx = kernelFor(this);
    const buffers = ctx && planVector(args[0], args[1]);
    if (!buffers) return delegate(this, 'writev', args);
    const position = args[1] as number;
    const total = buffers.reduce((n, b) => n + b.byteLength, 0);
    const route = writeRoute(statusFlagsOf.get(this)!, position + total, () => fstatSync(this.fd).size);
    if (route === 'threadpool') return delegate(this, 'writev', args);
    return withRef(this, async () => {
      const c = await ctx!.writev(this.fd, buffers, position);
      if (c.res < 0) return undefined;
      recordKernel(route);
      return nullProto({ bytesWritten: c.res, buffers: args[0] });
    }, () => internals!.nodeProto.writev.apply(this, args));
  },

  sync(this: FileHandle) {
    return syncVia(this, 'sync');
  },

  datasync(this: FileHandle) {
    return syncVia(this, 'datasync');
  },

  readFile(this: FileHandle, ...args: unknown[]) {
    const ctx = kernelFor(this);
    // O_DIRECT: node's unaligned reads fail with EINVAL, and so must ours.
    const buffered = ((statusFlagsOf.get(this) ?? 0) & fsConstants.O_DIRECT) === 0;
    const options = ctx && buffered && plainReadFileOptions(args[0], false);
    if (!options) return delegate(this, 'readFile', args);
    return withRef(this, () => readRest(this, ctx!, options), () => internals!.nodeProto.readFile.apply(this, args));
  },
};

// fsync is run by the kernel from a workqueue: never redone, since a
// writeback error is reported only once.
function syncVia(fh: FileHandle, name: 'sync' | 'datasync'): Promise<void> {
  const ctx = kernelFor(fh);
  if (!ctx) return delegate(fh, name, []);
  return withRef(fh, async () => {
    const c = await (name === 'sync' ? ctx.fsync(fh.fd) : ctx.fdsync(fh.fd));
    if (c.res < 0) throw errnoError(c.res, name === 'sync' ? 'fsync' : 'fdatasync');
    recordKernel('kernel');
    return null;
  }, async () => null).then(() => undefined);
}

export interface ReadFileOptions { encoding: BufferEncoding | null; signal: AbortSignal | undefined }

/** Options readFile accepts without node having to validate anything; null otherwise. */
export function plainReadFileOptions(options: unknown, allowFlag: boolean): ReadFileOptions | null {
  if (options === undefined || options === null) return { encoding: null, signal: undefined };
  if (typeof options === 'string') return Buffer.isEncoding(options) ? { encoding: options, signal: undefined } : null;
  if (typeof options !== 'object' || Object.getPrototypeOf(options) !== Object.prototype) return null;
  const { encoding, signal, flag, ...rest } = options as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return null;
  if (encoding !== undefined && encoding !== null && !(typeof encoding === 'string' && Buffer.isEncoding(encoding))) return null;
  if (signal !== undefined && !(signal instanceof AbortSignal)) return null;
  if (flag !== undefined && !(allowFlag && flag === 'r')) return null;
  return { encoding: (encoding ?? null) as BufferEncoding | null, signal: signal as AbortSignal | undefined };
}

/** Node's AbortError, as node:fs/promises rejects with it. */
export class AbortError extends Error {
  code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

// FileHandle.readFile: from the current position to the end of a regular
// file, in parallel NOWAIT chunks, leaving the position where node would.
async function readRest(fh: FileHandle, ctx: AioContext, { encoding, signal }: ReadFileOptions): Promise<Buffer | string | undefined> {
  checkAborted(signal);
  const fd = fh.fd;
  const st = fstatSync(fd);
  if ((st.mode & S_IFMT) !== S_IFREG || st.size === 0 || st.size > IO_MAX_LENGTH) return undefined;
  const start = binding!.seek(fd, 0, SEEK_CUR);
  if (start < 0) return undefined;
  const want = Math.max(0, st.size - start);
  const out = Buffer.allocUnsafeSlow(want);
  const route = readRoute(statusFlagsOf.get(fh)!);
  let total = 0;
  chunks: for (let at = 0; at < want; at += READ_FILE_CHUNK * READ_FILE_DEPTH) {
    checkAborted(signal);
    const sizes: number[] = [];
    const batch = [];
    for (let i = 0; i < READ_FILE_DEPTH && at + i * READ_FILE_CHUNK < want; i++) {
      const from = at + i * READ_FILE_CHUNK;
      sizes.push(Math.min(READ_FILE_CHUNK, want - from));
      batch.push(ctx.read(fd, out.subarray(from, from + sizes[i]), start + from, { rwFlags: rwFlagsFor(route) }));
    }
    const done = await Promise.all(batch);
    for (let i = 0; i < done.length; i++) {
      const { res } = done[i];
      // An error, or a NOWAIT read the page cache served only in part (short
      // before the size fstat gave): node reads it all instead. The position
      // has not moved yet.
      if (res < 0 || (res < sizes[i] && total + res < want)) return undefined;
      total += res;
      if (res < sizes[i]) break chunks;
    }
  }
  binding!.seek(fd, start + total, SEEK_SET);
  recordKernel(route);
  const data = total === want ? out : out.subarray(0, total);
  return encoding ? data.toString(encoding) : data;
}

/** Gives `fh` (a node FileHandle) the linux-aio methods; returns it. */
export function adopt(fh: FileHandle): AioFileHandle {
  if (internals === undefined) internals = buildInternals(fh);
  if (internals === null) {
    // No node internals to hook: node's methods as they are, plus readChunks.
    Object.defineProperty(fh, 'readChunks', { value: overrides.readChunks, writable: true, configurable: true });
    return fh as AioFileHandle;
  }
  const flags = binding === null ? 0 : binding.statusFlags(fh.fd);
  statusFlagsOf.set(fh, Math.max(0, flags));
  // close() and [Symbol.asyncDispose] stay node's: our requests hold node's
  // reference count (withRef), so close waits for them as for its own.
  Object.setPrototypeOf(fh, internals.proto);
  return fh as AioFileHandle;
}

function buildInternals(sample: FileHandle): Internals | null {
  const nodeProto = Object.getPrototypeOf(sample) as Record<string | symbol, AnyFn>;
  const symbols = Object.getOwnPropertySymbols(nodeProto);
  const ref = symbols.find((s) => s.description === 'kRef');
  const unref = symbols.find((s) => s.description === 'kUnref');
  // Without node's reference counting, close() could not wait for our
  // requests: then every call stays with node.
  if (ref === undefined || unref === undefined) return null;
  const proto = Object.create(nodeProto);
  for (const [name, fn] of Object.entries(overrides)) {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  return { proto, nodeProto: nodeProto as Record<string, AnyFn>, ref, unref };
}
