// FileHandle.readChunks(): a file range as Buffers in file order, with
// `depth` reads in flight. Each read is the handle's own read(), so it takes
// the never-block policy's path (and direct I/O's bounce buffers).
import type { FileHandle } from 'node:fs/promises';

import { checkAborted } from './abort.js';
import { invalidArgType } from './errors.js';
import { validateInteger } from './validate.js';

/** Options of {@link AioFileHandle.readChunks}. */
export interface ReadChunksOptions {
  /** Bytes per read, and at most per chunk. Default 65536. */
  chunkSize?: number;
  /** Reads kept in flight. Default 4. */
  depth?: number;
  /** First byte to read. Default 0. */
  start?: number;
  /** Last byte to read, inclusive (as in createReadStream). Default: to the end of the file. */
  end?: number;
  /** Aborting it stops the iteration: the loop throws node's `AbortError`. */
  signal?: AbortSignal;
}

export type ChunkPlan = Required<Omit<ReadChunksOptions, 'signal'>> & { signal?: AbortSignal };

export function chunkOptions(options: unknown): ChunkPlan {
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

type ReadResult = { bytesRead: number; buffer: Buffer };

export async function* readChunks(fh: FileHandle, plan: ChunkPlan): AsyncGenerator<Buffer, void, undefined> {
  const { chunkSize, depth, end, signal } = plan;
  let next = plan.start;
  // At most `depth` reads, oldest first.
  const inFlight: { at: number; read: Promise<ReadResult> }[] = [];
  const launch = () => {
    if (next > end) return;
    const length = Math.min(chunkSize, end - next + 1);
    // Settled either way: a read abandoned by an early exit must not reject unhandled.
    const read = fh.read(Buffer.allocUnsafe(length), 0, length, next) as Promise<ReadResult>;
    read.catch(() => {});
    inFlight.push({ at: next, read });
    next += length;
  };
  for (let i = 0; i < depth; i++) launch();
  while (inFlight.length > 0) {
    checkAborted(signal);
    const { at, read } = inFlight.shift()!;
    const { bytesRead, buffer } = await read;
    checkAborted(signal);
    // Only a read of nothing is the end: files of procfs and sysfs (regular
    // files, size 0 or 4096) hand out a page or so per read, and read()
    // itself finishes partial NOWAIT answers.
    if (bytesRead === 0) return;
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    if (bytesRead < buffer.length) {
      // The reads after a short one started past where it ended: drop them
      // (they settle unobserved) and go on from there. At the end of a
      // regular file this costs one read, which answers 0.
      inFlight.length = 0;
      next = at + bytesRead;
    }
    launch();
  }
}
