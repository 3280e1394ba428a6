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

import { checkAborted } from './abort.js';
import { IO_MAX_LENGTH, SEEK_CUR, SEEK_SET } from './constants.js';
import { type AioContext } from './context.js';
import {
  type DirectOpen, directFileFor, directRead, directReadFile, directReadv, directWrite, directWriteFile, directWritev,
} from './direct-handle.js';
import { type DirectFile } from './direct-io.js';
import { errnoError } from './errors.js';
import { type FinishRead, HandleRead } from './handle-read.js';
import {
  CURRENT, type RangeArgs, type ReadFileOptions, isKernelVector, readArgs, readFileOptions, vectorArgs,
} from './handle-args.js';
import { binding } from './native.js';
import { type AnyFn, type NodeMethods, nullProto } from './node-methods.js';
import { policyStats, readOptionsFor, readRoute, recordKernel, type Route } from './policy.js';
import { chunkOptions, readChunks, type ReadChunksOptions } from './read-chunks.js';
import { type ReadRules, learnReadRules } from './read-rules.js';
import { readAheadStream } from './read-stream.js';
import { sharedContext } from './shared-context.js';
import { byteLengthOf, bytesOf, viewsAfter } from './views.js';

const { O_APPEND, O_DIRECT, O_RDONLY, S_IFMT, S_IFREG } = fsConstants;
// node:fs limits (lib/internal/fs/utils.js).
const READ_FILE_CHUNK = 512 * 1024;
const READ_FILE_DEPTH = 8;

interface Internals {
  proto: object;
  nodeProto: NodeMethods;
  ref: symbol;
  unref: symbol;
  /** How this node's read() takes odd positions and lengths. */
  readRules: ReadRules | null;
}

/** What linux-aio knows of one adopted handle. */
interface HandleState {
  statusFlags: number;
  /** Set for O_DIRECT handles: all their I/O goes through it. */
  direct: DirectFile | null;
}

let internals: Internals | null | undefined;
const stateOf = new WeakMap<object, HandleState>();

/** The shared context for a call on `fh` while `fh` is open, or null when the call must go to node as it is. */
function contextIfOpen(fh: FileHandle): AioContext | null {
  if (fh.fd === -1 || !internals) return null; // node rejects with its 'file closed' EBADF
  return sharedContext();
}

/** Runs `work` with the handle referenced as node's own operations do, so close() waits for it. */
async function held<T>(fh: FileHandle, work: () => Promise<T>): Promise<T> {
  const h = fh as unknown as Record<symbol, () => void>;
  const { ref, unref } = internals!;
  h[ref]();
  try {
    return await work();
  } finally {
    h[unref]();
  }
}

/** `kernel`, held; when it answers undefined, node's `fallback` runs instead (still held). */
function withFallback<T>(fh: FileHandle, kernel: () => Promise<T | undefined>, fallback: () => Promise<T>): Promise<T> {
  return held(fh, async () => {
    const result = await kernel();
    if (result !== undefined) return result;
    policyStats.fallbacks++;
    return fallback();
  });
}

function delegate(fh: FileHandle, name: string, args: unknown[]): Promise<any> {
  policyStats.threadpool++;
  return internals!.nodeProto[name].apply(fh, args);
}

/** A direct handle's method: its work, held, or node's method when node must see the arguments. */
function viaDirect(fh: FileHandle, name: string, args: unknown[], work: (() => Promise<unknown>) | null): Promise<any> {
  return work === null ? delegate(fh, name, args) : held(fh, work);
}

/** The direct file of an open direct handle, or null. */
function directOf(fh: FileHandle): DirectFile | null {
  return fh.fd === -1 ? null : stateOf.get(fh)?.direct ?? null;
}

/**
 * The FileHandle of `linux-aio/promises` {@link open}: node's own
 * FileHandle object (`instanceof` it), whose hot methods go through kernel
 * AIO where that cannot block, plus {@link AioFileHandle.readChunks}. Its
 * `createReadStream` keeps several reads in flight on a regular file.
 */
export interface AioFileHandle extends FileHandle {
  /**
   * The file from `start` to `end` (inclusive) as Buffers in file order,
   * with `depth` reads in flight. Each read takes the never-block policy's
   * path; breaking out of the loop stops reading. Each chunk is a new
   * Buffer of up to `chunkSize` bytes: shorter at the end of the file, and
   * wherever the file hands out less per read (procfs, sysfs). Only a read
   * of 0 bytes ends it, as with node's streams.
   *
   * Use it to read a file, or a range of it, in order with reads kept in
   * flight, as an async iterable rather than a stream.
   *
   * @param options - Range, chunk size, depth and signal; see {@link ReadChunksOptions}.
   *
   * @example
   * {@includeCode ../examples/file-handle-read-chunks.mjs}
   */
  readChunks(options?: ReadChunksOptions): AsyncIterableIterator<Buffer>;
}

const overrides = {
  readChunks(this: FileHandle, options?: ReadChunksOptions): AsyncIterableIterator<Buffer> {
    return readChunks(this, chunkOptions(options));
  },

  createReadStream(this: FileHandle, ...args: unknown[]) {
    return readAheadStream(this, internals!.nodeProto.createReadStream, args, binding!.seek);
  },

  read(this: FileHandle, ...args: unknown[]) {
    const state = stateOf.get(this);
    if (state?.direct && this.fd !== -1) return viaDirect(this, 'read', args, directRead(state.direct, args, internals!.readRules));
    const ctx = contextIfOpen(this);
    const plan = ctx && readArgs(args[0], args[1], args[2], args[3], internals!.readRules);
    if (!plan || plan.position === CURRENT) return delegate(this, 'read', args);
    return bufferedRead(this, ctx!, plan, readRoute(state!.statusFlags));
  },

  readv(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    if (direct) return viaDirect(this, 'readv', args, directReadv(direct, args));
    const ctx = contextIfOpen(this);
    const plan = ctx && vectorArgs(args[0], args[1]);
    if (!plan || !isKernelVector(plan)) return delegate(this, 'readv', args);
    const { buffers, position } = plan;
    const route = readRoute(stateOf.get(this)!.statusFlags);
    const total = byteLengthOf(buffers);
    return withFallback(this, async () => {
      const c = await ctx!.readv(this.fd, buffers, position, readOptionsFor(route));
      if (c.res < 0) return undefined;
      recordKernel(route);
      let bytesRead = c.res;
      if (servedInPart(route, bytesRead, total)) {
        bytesRead += (await internals!.nodeProto.readv.call(this, viewsAfter(buffers, bytesRead), position + bytesRead)).bytesRead;
      }
      return nullProto({ bytesRead, buffers: args[0] });
    }, () => internals!.nodeProto.readv.apply(this, args));
  },

  // Buffered writes are the threadpool's (policy.ts): node's own methods.
  write(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    return direct ? viaDirect(this, 'write', args, directWrite(direct, args)) : delegate(this, 'write', args);
  },

  writev(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    return direct ? viaDirect(this, 'writev', args, directWritev(direct, args)) : delegate(this, 'writev', args);
  },

  writeFile(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    return direct ? viaDirect(this, 'writeFile', args, directWriteFile(direct, args[0], args[1])) : delegate(this, 'writeFile', args);
  },

  appendFile(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    return direct ? viaDirect(this, 'appendFile', args, directWriteFile(direct, args[0], args[1])) : delegate(this, 'appendFile', args);
  },

  sync(this: FileHandle) {
    return syncVia(this, 'sync');
  },

  datasync(this: FileHandle) {
    return syncVia(this, 'datasync');
  },

  readFile(this: FileHandle, ...args: unknown[]) {
    const direct = directOf(this);
    if (direct) {
      const options = readFileOptions(args[0]);
      return viaDirect(this, 'readFile', args, options && directReadFile(this, direct, options));
    }
    const options = readFileOptions(args[0]);
    const ctx = contextIfOpen(this);
    if (!ctx || !options) return delegate(this, 'readFile', args);
    return withFallback(this, () => readRest(this, ctx, options, stateOf.get(this)!.statusFlags),
      () => internals!.nodeProto.readFile.apply(this, args));
  },
};

/** node's FileHandle internals, learned from the first handle seen; null where they cannot be hooked. */
function learnInternals(fh: FileHandle): Internals | null {
  if (internals === undefined) internals = buildInternals(nodeFileHandleProto(fh) ?? Object.getPrototypeOf(fh), fh);
  return internals;
}

/**
 * readFile(path)'s read of the node FileHandle it opened read-only, which
 * nobody else sees: as the drop-in's FileHandle.readFile, without making
 * the handle one of ours first (that costs a prototype change per file,
 * and small files are read by the thousand).
 */
export function readOpenedFile(fh: FileHandle, options: unknown): Promise<Buffer | string> {
  const known = learnInternals(fh);
  const readOptions = readFileOptions(options);
  const ctx = sharedContext();
  const nodeReadFile = () => (known ? known.nodeProto.readFile : fh.readFile).call(fh, options);
  if (known === null || binding === null || ctx === null || readOptions === null) {
    policyStats.threadpool++;
    return nodeReadFile();
  }
  return withFallback(fh, () => readRest(fh, ctx, readOptions, O_RDONLY), nodeReadFile);
}

/**
 * Whether a read that got `bytesRead` of `wanted` bytes was a NOWAIT read
 * the page cache served only in part: a plain pread would not stop there,
 * so the caller reads the rest on the threadpool (counted as a fallback).
 */
function servedInPart(route: Route, bytesRead: number, wanted: number): boolean {
  if (route !== 'kernel-nowait' || bytesRead === 0 || bytesRead >= wanted) return false;
  policyStats.fallbacks++;
  return true;
}

// The hot path of the drop-in: one kernel read (handle-read.ts) and one
// Promise, no async function. The handle is referenced, as node's own
// operations do, until the result is final, so close() waits for it.
function bufferedRead(fh: FileHandle, ctx: AioContext, plan: RangeArgs, route: Route): Promise<unknown> {
  const { buffer, offset, length, position } = plan;
  const view = offset === 0 && length === buffer.byteLength ? buffer : bytesOf(buffer, offset, length);
  const h = fh as unknown as Record<symbol, () => void>;
  h[internals!.ref]();
  const read = new HandleRead(fh.fd, view, position, readOptionsFor(route).rwFlags, fh, buffer, offset, length,
    route === 'kernel-nowait' ? finishNowaitRead : finishDirectRead);
  try {
    ctx._queueHandleRead(read);
  } catch (error) {
    h[internals!.unref]();
    return Promise.reject(error);
  }
  return read.promise;
}

const finishNowaitRead: FinishRead = (read, res) => finishRead(read, res, 'kernel-nowait');
const finishDirectRead: FinishRead = (read, res) => finishRead(read, res, 'kernel');

function finishRead(read: HandleRead, res: number, route: Route): void {
  const fh = read.handle as FileHandle;
  if (res < 0) {
    // Refused (EAGAIN: not in the page cache) or failed: node does it, and errs as node errs.
    policyStats.fallbacks++;
    read.resolve(nodeReadHeld(fh, read, 0, 0));
    return;
  }
  recordKernel(route);
  if (servedInPart(route, res, read.length)) {
    read.resolve(nodeReadHeld(fh, read, res, res));
    return;
  }
  (fh as unknown as Record<symbol, () => void>)[internals!.unref]();
  read.resolve({ __proto__: null, bytesRead: res, buffer: read.buffer });
}

// The rest of `read` from byte `from` on, by node's read; `bytesRead` are
// already read. The handle is let go once node has answered.
async function nodeReadHeld(fh: FileHandle, read: HandleRead, from: number, bytesRead: number) {
  const { buffer, offset, length, _position: position } = read;
  try {
    const rest = await internals!.nodeProto.read.call(fh, buffer, offset + from, length - from, position + from);
    return from === 0 ? rest : { __proto__: null, bytesRead: bytesRead + rest.bytesRead, buffer };
  } finally {
    (fh as unknown as Record<symbol, () => void>)[internals!.unref]();
  }
}

// fsync is run by the kernel from a workqueue: never redone, since a
// writeback error is reported only once.
function syncVia(fh: FileHandle, name: 'sync' | 'datasync'): Promise<void> {
  const ctx = contextIfOpen(fh);
  // Under the permission model (process.permission is set) node decides:
  // from Node 24 it refuses fsync and fdatasync there (ERR_ACCESS_DENIED).
  if (!ctx || (process as { permission?: unknown }).permission !== undefined) return delegate(fh, name, []);
  return held(fh, async () => {
    const c = await (name === 'sync' ? ctx.fsync(fh.fd) : ctx.fdsync(fh.fd));
    if (c.res < 0) throw errnoError(c.res, name === 'sync' ? 'fsync' : 'fdatasync');
    recordKernel('kernel');
  });
}


// FileHandle.readFile: from the current position to the end of a regular
// file, in parallel NOWAIT chunks, leaving the position where node would.
async function readRest(fh: FileHandle, ctx: AioContext, { encoding, signal }: ReadFileOptions,
  statusFlags: number): Promise<Buffer | string | undefined> {
  checkAborted(signal);
  const fd = fh.fd;
  const st = fstatSync(fd);
  if ((st.mode & S_IFMT) !== S_IFREG || st.size === 0 || st.size > IO_MAX_LENGTH) return undefined;
  const start = binding!.seek(fd, 0, SEEK_CUR);
  if (start < 0) return undefined;
  const want = Math.max(0, st.size - start);
  const out = Buffer.allocUnsafeSlow(want);
  const route = readRoute(statusFlags);
  let total = 0;
  chunks: for (let at = 0; at < want; at += READ_FILE_CHUNK * READ_FILE_DEPTH) {
    checkAborted(signal);
    const sizes: number[] = [];
    const batch = [];
    for (let i = 0; i < READ_FILE_DEPTH && at + i * READ_FILE_CHUNK < want; i++) {
      const from = at + i * READ_FILE_CHUNK;
      sizes.push(Math.min(READ_FILE_CHUNK, want - from));
      batch.push(ctx.read(fd, out.subarray(from, from + sizes[i]), start + from, readOptionsFor(route)));
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
  // node checks the signal between its reads; ours all ran at once, so it
  // is checked again before the result (the position not yet moved).
  checkAborted(signal);
  binding!.seek(fd, start + total, SEEK_SET);
  recordKernel(route);
  const data = total === want ? out : out.subarray(0, total);
  return encoding ? data.toString(encoding) : data;
}

/**
 * Gives `fh` (a node FileHandle) the linux-aio methods; returns it, the same
 * object. A handle opened with O_DIRECT gets direct I/O with any buffer;
 * `emulate` says what it emulates over its fd (see DirectOpen). A handle
 * that already has them is returned as it is.
 */
export function adoptHandle(fh: FileHandle, emulate: DirectOpen = { append: false, writeOnly: false }): AioFileHandle {
  if (stateOf.has(fh)) return fh as AioFileHandle;
  const known = learnInternals(fh);
  if (known === null || binding === null) {
    // No node internals to hook: node's methods as they are, plus readChunks.
    Object.defineProperty(fh, 'readChunks', { value: overrides.readChunks, writable: true, configurable: true });
    return fh as AioFileHandle;
  }
  const statusFlags = Math.max(0, binding.statusFlags(fh.fd));
  // An fd with O_APPEND would put the block-aligned writes of direct I/O at
  // the end (open() never makes one; a node FileHandle may be one): it
  // keeps O_DIRECT's own rules, as node's handle has them.
  const direct = (statusFlags & O_DIRECT) === 0 || (statusFlags & O_APPEND) !== 0
    ? null : directFileFor(fh, statusFlags, known.nodeProto, sharedContext, emulate);
  stateOf.set(fh, { statusFlags, direct });
  // close() and [Symbol.asyncDispose] stay node's: our requests hold node's
  // reference count (held), so close waits for them as for its own.
  Object.setPrototypeOf(fh, known.proto);
  return fh as AioFileHandle;
}

/** Whether `value` is an open direct-I/O handle of this module. */
export function isDirectHandle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && directOf(value as FileHandle) !== null;
}

/**
 * Whether `value` is a node:fs/promises FileHandle (ours are too). node
 * exports no FileHandle class to test against: the prototype is the one of
 * the handles seen so far, or else one in `value`'s own chain that has
 * node's FileHandle members. node 24 and later brand their handles
 * (FileHandle.isFileHandle); before, an instance has node's own fields.
 */
export function isNodeFileHandle(value: unknown): value is FileHandle {
  if (typeof value !== 'object' || value === null) return false;
  const proto = internals?.nodeProto ?? nodeFileHandleProto(value);
  if (proto === null || !Object.prototype.isPrototypeOf.call(proto, value)) return false;
  const isFileHandle = (proto.constructor as { isFileHandle?: unknown } | undefined)?.isFileHandle;
  if (typeof isFileHandle === 'function') return isFileHandle.call(proto.constructor, value) === true;
  const own = Object.getOwnPropertySymbols(value).map((s) => s.description);
  return own.includes('kHandle') && own.includes('kFd');
}

/** The nearest prototype of `value` that is node's FileHandle.prototype by its name and members. */
function nodeFileHandleProto(value: object): Record<string | symbol, AnyFn> | null {
  for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p, 'constructor') && p.constructor?.name === 'FileHandle'
      && typeof Object.getOwnPropertyDescriptor(p, 'fd')?.get === 'function'
      && typeof p.read === 'function' && typeof p.readFile === 'function') return p;
  }
  return null;
}

/** node's kRef and kUnref, the reference count close() waits for. */
function refSymbols(nodeProto: object): { ref: symbol; unref: symbol } | null {
  const symbols = Object.getOwnPropertySymbols(nodeProto);
  const ref = symbols.find((s) => s.description === 'kRef');
  const unref = symbols.find((s) => s.description === 'kUnref');
  return ref === undefined || unref === undefined ? null : { ref, unref };
}

function buildInternals(nodeProto: Record<string | symbol, AnyFn>, sample: FileHandle): Internals | null {
  // Without node's reference counting, close() could not wait for our
  // requests: then every call stays with node.
  const refs = refSymbols(nodeProto);
  if (refs === null) return null;
  const proto = Object.create(nodeProto);
  for (const [name, fn] of Object.entries(overrides)) {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  const readRules = learnReadRules(nodeProto.read, sample);
  return { proto, nodeProto: nodeProto as NodeMethods, ...refs, readRules };
}
