// The arguments of FileHandle read / write / readv / writev, normalized the
// way node:fs/promises reads them (lib/internal/fs/promises.js, Node 20).
//
// Each function returns the operation node would run, or null when node
// would throw (or when the form is too odd to be worth copying): the caller
// then hands the original arguments to node's own method, so validation
// errors are node's by construction.
import { IOV_MAX } from './constants.js';

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

export function bytesOf(view: ArrayBufferView, offset = 0, length = view.byteLength - offset): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length);
}

/** A position as the binding takes it: a safe offset, CURRENT for -1/null-ish, or null (node decides). */
function readPosition(position: unknown, bigints: boolean): number | null {
  if (position === null || position === undefined) return CURRENT;
  if (typeof position === 'bigint') {
    if (!bigints) return null;
    if (position === -1n) return CURRENT;
    return position >= 0n && position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : null;
  }
  if (position === -1) return CURRENT;
  return isIndex(position) ? position : null;
}

/** libuv writes at the current position for any negative offset; node passes non-numbers as -1. */
function writePosition(position: unknown): number | null {
  if (typeof position !== 'number') return CURRENT;
  if (!Number.isSafeInteger(position)) return null;
  return position < 0 ? CURRENT : position;
}

/**
 * read(): (buffer, offset?, length?, position?), (buffer, options?), (options?).
 * A bigint position is taken as the offset it names only with `bigints`:
 * Node 20's promise read() reads bigint positions at the current position
 * instead, and buffered handles leave them to node to keep that.
 */
export function readArgs(a0: unknown, a1: unknown, a2: unknown, a3: unknown, bigints: boolean): RangeArgs | null {
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
  if (length === 0) return { buffer: view, offset, length: 0, position: CURRENT };
  if (!isIndex(length) || view.byteLength === 0 || offset + length > view.byteLength) return null;
  const at = readPosition(position, bigints);
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
  const at = writePosition(position);
  return at === null ? null : { buffer: a0, offset, length: length as number, position: at };
}

export interface StringWriteArgs {
  data: Buffer;
  position: number;
}

/** write() with a string: (string, position?, encoding?). */
export function writeStringArgs(a0: unknown, a1: unknown, a2: unknown): StringWriteArgs | null {
  if (typeof a0 !== 'string') return null;
  const encoding = a2 ?? 'utf8';
  if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding)) return null;
  // node refuses odd-length hex; let it say so.
  if (encoding.toLowerCase() === 'hex' && a0.length % 2 !== 0) return null;
  const at = writePosition(a1);
  return at === null ? null : { data: Buffer.from(a0, encoding), position: at };
}

/** readv() / writev(): (buffers, position?). An empty array is valid. */
export function vectorArgs(buffers: unknown, position: unknown): VectorArgs | null {
  if (!Array.isArray(buffers) || !buffers.every((b) => ArrayBuffer.isView(b))) return null;
  const at = writePosition(position);
  return at === null ? null : { buffers, position: at };
}

/** The positional, non-empty vector form the kernel takes as it is. */
export function isKernelVector(args: VectorArgs): boolean {
  return args.position !== CURRENT && args.buffers.length > 0 && args.buffers.length <= IOV_MAX;
}

/** What is left of `views` once their first `skip` bytes are filled. */
export function viewsAfter(views: readonly ArrayBufferView[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of views) {
    const drop = Math.min(skip, v.byteLength);
    skip -= drop;
    if (drop < v.byteLength) out.push(bytesOf(v, drop, v.byteLength - drop));
  }
  return out;
}
