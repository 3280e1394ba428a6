// The arguments of FileHandle read / write / readv / writev, normalized the
// way node:fs/promises reads them (lib/internal/fs/promises.js).
//
// Each function returns the operation node would run, or null when node
// would throw (or when the form is too odd to be worth copying): the caller
// then hands the original arguments to node's own method, so validation
// errors are node's by construction. Where node versions differ (read()'s
// position and length), the rules are the running node's: see read-rules.ts.
import { IOV_MAX } from './constants.js';
import type { ReadRules } from './read-rules.js';
import { readFileTakesBuffer } from './readfile-buffer.js';

/** `position` of an operation at the file's current position. */
export const CURRENT = -1;

export interface RangeArgs {
  buffer: ArrayBufferView;
  offset: number;
  /** May be 0: node answers those without touching the file. */
  length: number;
  /** A byte offset, or CURRENT. */
  position: number;
}

export interface VectorArgs {
  buffers: ArrayBufferView[];
  position: number;
}

/** A non-negative safe integer: an offset, a length or a file position. */
export function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export interface ReadFileOptions { encoding: BufferEncoding | null; signal: AbortSignal | undefined }

/**
 * readFile's options as node's getOptions takes them, or null where node
 * throws, or reads into a buffer of the caller's (`options.buffer`, where
 * this node takes it): node's to do (on a direct handle, node's reads then
 * meet O_DIRECT's alignment rules, as on node's own handle).
 */
export function readFileOptions(options: unknown): ReadFileOptions | null {
  if (options === undefined || options === null || typeof options === 'function') return { encoding: null, signal: undefined };
  let encoding: unknown;
  let signal: unknown;
  if (typeof options === 'string') encoding = options;
  else if (typeof options === 'object') ({ encoding, signal } = options as { encoding?: unknown; signal?: unknown });
  else return null;
  if (typeof options === 'object' && readFileTakesBuffer() && (options as { buffer?: unknown }).buffer !== undefined) return null;
  if (encoding && !(typeof encoding === 'string' && Buffer.isEncoding(encoding))) return null;
  if (signal !== undefined && !(signal instanceof AbortSignal)) return null;
  return { encoding: (encoding || null) as BufferEncoding | null, signal: signal as AbortSignal | undefined };
}

/**
 * A position of write(), readv() or writev(), as node takes it (the same
 * from Node 20 to 26): what is not a number is the current position, and
 * so is a number its binding does not take as an offset (not a safe
 * integer) or libuv does not (negative).
 */
function positionOf(position: unknown): number {
  return isIndex(position) ? position : CURRENT;
}

/**
 * A position of read() as the running node takes it, or null where node
 * throws (or reads at a bigint past 2^53, which is node's to do).
 */
function readPositionOf(position: unknown, rules: ReadRules | null): number | null {
  if (position === null || position === undefined) return CURRENT;
  if (isIndex(position)) return position;
  if (rules === null) return null;
  // Before nodejs/node#42835 anything else was the current position.
  if (!rules.checksPosition) return CURRENT;
  if (position === -1 || position === -1n) return CURRENT;
  if (typeof position === 'bigint' && position >= 0n && position <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(position);
  return null;
}

/**
 * read(): (buffer, offset?, length?, position?), (buffer, options?),
 * (options?). A read of 0 bytes is null too: node answers it without I/O
 * (having validated the position first, from Node 24/26 on).
 */
export function readArgs(a0: unknown, a1: unknown, a2: unknown, a3: unknown, rules: ReadRules | null): RangeArgs | null {
  let buffer = a0;
  let offset = a1;
  let length = a2;
  let position = a3;
  if (!ArrayBuffer.isView(buffer)) {
    if (a0 !== undefined && (typeof a0 !== 'object' || Array.isArray(a0))) return null;
    ({ buffer = Buffer.alloc(16384), offset = 0, position = null } = (a0 ?? {}) as Record<string, unknown>);
    ({ length } = (a0 ?? {}) as Record<string, unknown>);
    if (!ArrayBuffer.isView(buffer)) return null;
  }
  const view = buffer as ArrayBufferView;
  if (offset !== null && typeof offset === 'object') {
    ({ offset = 0, length, position = null } = offset as Record<string, unknown>);
  }
  offset ??= 0;
  if (!isIndex(offset)) return null;
  length ??= view.byteLength - offset;
  // Where node truncates it, a fractional length reads that many whole bytes.
  if (rules?.truncatesLength && typeof length === 'number') length |= 0;
  if (!isIndex(length) || length === 0 || view.byteLength === 0 || offset + length > view.byteLength) return null;
  const at = readPositionOf(position, rules);
  return at === null ? null : { buffer: view, offset, length, position: at };
}

/** write() with a buffer: (buffer, offset?, length?, position?), (buffer, options?). */
export function writeArgs(a0: unknown, a1: unknown, a2: unknown, a3: unknown): RangeArgs | null {
  if (!ArrayBuffer.isView(a0)) return null;
  if (a0.byteLength === 0) return { buffer: a0, offset: 0, length: 0, position: CURRENT };
  let offset = a1;
  let length = a2;
  let position = a3;
  if (typeof offset === 'object') {
    ({ offset = 0, length, position = null } = (offset ?? {}) as Record<string, unknown>);
  }
  offset ??= 0;
  if (!isIndex(offset) || offset > a0.byteLength) return null;
  if (typeof length !== 'number') length = a0.byteLength - offset;
  if (!isIndex(length) || length > a0.byteLength - offset || length > 2 ** 31 - 1) return null;
  return { buffer: a0, offset, length: length as number, position: positionOf(position) };
}

export interface StringWriteArgs {
  data: Buffer;
  position: number;
}

/** write() with a string: (string, position?, encoding?); node's binding takes an unknown encoding as utf8. */
export function writeStringArgs(a0: unknown, a1: unknown, a2: unknown): StringWriteArgs | null {
  if (typeof a0 !== 'string') return null;
  const encoding = typeof a2 === 'string' && Buffer.isEncoding(a2) ? a2 : 'utf8';
  // node refuses odd-length hex; let it say so.
  if (encoding.toLowerCase() === 'hex' && a0.length % 2 !== 0) return null;
  return { data: Buffer.from(a0, encoding), position: positionOf(a1) };
}

/** readv() / writev(): (buffers, position?). An empty array is valid. */
export function vectorArgs(buffers: unknown, position: unknown): VectorArgs | null {
  if (!Array.isArray(buffers) || !buffers.every((b) => ArrayBuffer.isView(b))) return null;
  return { buffers, position: positionOf(position) };
}

/** The positional, non-empty vector form the kernel takes as it is. */
export function isKernelVector(args: VectorArgs): boolean {
  return args.position !== CURRENT && args.buffers.length > 0 && args.buffers.length <= IOV_MAX;
}
