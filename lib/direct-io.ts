// Direct I/O with ordinary buffers: reads and writes of any buffer, offset
// and length on an O_DIRECT file, with node:fs's results.
//
// O_DIRECT wants the buffer address, the file offset and the length aligned
// (statx STATX_DIOALIGN). An aligned request goes as it is (zero copy).
// Otherwise the range is widened to whole blocks and goes through pooled
// aligned bounce buffers; a single buffer whose middle happens to be
// aligned in memory keeps the middle zero-copy and bounces only the edges.
//
// Writes that do not cover whole blocks read the edge blocks first
// (read-modify-write), so two writes touching one block must not overlap in
// time: every write takes a lock on its block range, and reads wait for the
// writes they overlap. A write that may move EOF locks to the end of the
// file, and waits for the reads before it too: until it has cut the file
// back to the size node's write would leave (a direct write ends on a block
// boundary), nothing else of this file looks at the size. The locks belong
// to the file (its inode), shared by every direct handle of this process
// (file-locks.ts).
//
// O_APPEND is emulated (the fd is opened without it, since a block-aligned
// rewrite of the last block cannot be placed with it): the end is found
// under the lock. Appends, and reads and writes at the current position,
// run one at a time per handle, in call order. A write-only file is opened
// for reading too, for the edge blocks; its reads are refused as the kernel
// would refuse them.
import { BOUNCE_MAX, giveBounce, takeBounce } from './bounce-pool.js';
import type { DioAlignment } from './buffers.js';
import { IOV_MAX, SEEK_CUR, SEEK_SET } from './constants.js';
import { errnoError } from './errors.js';
import { type FileLocks, dropLock, overlapping, takeLock } from './file-locks.js';
import { CURRENT } from './handle-args.js';
import { byteLengthOf, bytesOf } from './views.js';

const EBADF = -9;

/** The I/O a direct file is built on; every view and offset it gets is aligned. */
export interface BlockIO {
  read(views: Uint8Array[], position: number): Promise<number>;
  /** `inPlace`: the range lies inside the file, so the write does not extend it. */
  write(views: Uint8Array[], position: number, inPlace: boolean): Promise<number>;
  size(): number;
  truncate(length: number): Promise<void>;
  /** lseek(2) with SEEK_SET or SEEK_CUR; the new offset. */
  seek(offset: number, whence: typeof SEEK_SET | typeof SEEK_CUR): number;
  isAligned(view: Uint8Array, alignment: number): boolean;
}

/** A slice of one operation: the whole blocks [start, end), holding user bytes [userStart, userEnd). */
interface Piece {
  start: number;
  end: number;
  userStart: number;
  userEnd: number;
  /** The user's own memory, when it can go to the kernel as it is. */
  zeroCopy: Uint8Array[] | null;
}

/** Pieces of one operation run this many at a time. */
const PIECES_IN_FLIGHT = 4;
/** The largest zero-copy piece: below the kernel's cap on one read or write (MAX_RW_COUNT). */
const ZERO_COPY_MAX = 1 << 30;
/** `position` of a write at the end of the file. */
const AT_END = -2;

export class DirectFile {
  readonly #io: BlockIO;
  readonly #memory: number;
  readonly #block: number;
  readonly #append: boolean;
  readonly #writeOnly: boolean;
  readonly #locks: FileLocks;
  #serial: Promise<unknown> = Promise.resolve();

  /** `append` and `writeOnly`: what the fd was asked to be (it is neither; see above). */
  constructor(io: BlockIO, alignment: DioAlignment, locks: FileLocks,
    { append, writeOnly }: { append: boolean; writeOnly: boolean }) {
    this.#io = io;
    this.#memory = alignment.memory;
    // O_DIRECT offsets and lengths go in whole blocks of this (a power of two).
    this.#block = alignment.offset;
    this.#locks = locks;
    this.#append = append;
    this.#writeOnly = writeOnly;
  }

  /** Reads into `views` from `position` (or CURRENT); bytes read, short only at EOF. */
  read(views: Uint8Array[], position: number): Promise<number> {
    if (this.#writeOnly) return Promise.reject(errnoError(EBADF, 'read'));
    if (position !== CURRENT) return this.#readAt(views, position);
    return this.#inOrder(async () => {
      const at = this.#io.seek(0, SEEK_CUR);
      const n = await this.#readAt(views, at);
      this.#io.seek(at + n, SEEK_SET);
      return n;
    });
  }

  /** Writes `views` at `position` (or CURRENT), as pwrite/write would on a non-direct fd. */
  write(views: Uint8Array[], position: number): Promise<number> {
    // Like write(2) of nothing: no effect, not even on the position.
    if (byteLengthOf(views) === 0) return Promise.resolve(0);
    if (this.#append) {
      // As on an O_APPEND fd: every write goes to the end; only write(2) moves the position.
      return this.#inOrder(async () => {
        const { at, written } = await this.#writeAt(views, AT_END);
        if (position === CURRENT) this.#io.seek(at + written, SEEK_SET);
        return written;
      });
    }
    if (position !== CURRENT) return this.#writeAt(views, position).then((r) => r.written);
    return this.#inOrder(async () => {
      const at = this.#io.seek(0, SEEK_CUR);
      const { written } = await this.#writeAt(views, at);
      this.#io.seek(at + written, SEEK_SET);
      return written;
    });
  }

  /** Runs `op` after every earlier position-dependent operation of this handle. */
  #inOrder(op: () => Promise<number>): Promise<number> {
    const result = this.#serial.then(op, op);
    this.#serial = result.catch(() => {});
    return result;
  }

  #down(n: number): number {
    return n - (n % this.#block);
  }

  #up(n: number): number {
    return this.#down(n + this.#block - 1);
  }

  async #readAt(views: Uint8Array[], position: number): Promise<number> {
    const total = byteLengthOf(views);
    if (total === 0) return 0;
    const start = this.#down(position);
    const end = this.#up(position + total);
    const locks = this.#locks;
    const prior = overlapping(locks.writes, start, end);
    const lock = takeLock(locks.reads, start, end);
    try {
      if (prior.length > 0) await Promise.all(prior);
      // Past EOF the kernel may write into the buffer (the rest of the block
      // holding EOF; zeros for the range beyond), where node leaves the
      // buffer alone: user memory is only read into up to EOF.
      const pieces = this.#pieces(views, position, total, this.#down(this.#io.size()));
      const { results, error } = await this.#run(pieces, (piece) => this.#readPiece(piece, views, position));
      if (error !== undefined) throw error;
      return userBytes(pieces, results);
    } finally {
      dropLock(locks.reads, lock);
    }
  }

  async #readPiece(piece: Piece, views: Uint8Array[], position: number): Promise<number> {
    if (piece.zeroCopy) return this.#io.read(piece.zeroCopy, piece.start);
    const length = piece.end - piece.start;
    const bounce = takeBounce(length);
    try {
      const got = await this.#io.read([bytesOf(bounce, 0, length)], piece.start);
      const useful = clamp(piece.start + got - piece.userStart, 0, piece.userEnd - piece.userStart);
      copyOut(bounce, piece.userStart - piece.start, views, piece.userStart - position, useful);
      return got;
    } finally {
      giveBounce(bounce);
    }
  }

  /** Writes at `position`, or at the end of the file (AT_END); where it wrote and how much. */
  async #writeAt(views: Uint8Array[], position: number): Promise<{ at: number; written: number }> {
    const total = byteLengthOf(views);
    const locks = this.#locks;
    const sizeNow = this.#io.size();
    const start = this.#down(position === AT_END ? sizeNow : position);
    const end = position === AT_END ? Infinity : this.#up(position + total);
    // The size on disk can only be trusted while no write that may move EOF
    // is in flight; otherwise assume this one may too.
    const grows = end > sizeNow || locks.growing > 0;
    const prior = overlapping(locks.writes, start, grows ? Infinity : end);
    if (grows) overlapping(locks.reads, start, Infinity, prior);
    const lock = takeLock(locks.writes, start, grows ? Infinity : end);
    if (grows) locks.growing++;
    try {
      if (prior.length > 0) await Promise.all(prior);
      // Every earlier write that could move EOF is done, and later ones wait.
      const size = grows ? this.#io.size() : sizeNow;
      const at = position === AT_END ? size : position;
      const pieces = this.#pieces(views, at, total, Infinity);
      const { results, error } = await this.#run(pieces, (piece) => this.#writePiece(piece, views, at, size));
      const written = userBytes(pieces, results);
      // Blocks end past the last byte written: cut the file to where a
      // plain write would have left it.
      if (grows) {
        const want = Math.max(size, at + written);
        if (this.#io.size() > want) await this.#io.truncate(want);
      }
      if (error !== undefined) throw error;
      return { at, written };
    } finally {
      if (grows) locks.growing--;
      dropLock(locks.writes, lock);
    }
  }

  async #writePiece(piece: Piece, views: Uint8Array[], position: number, size: number): Promise<number> {
    if (piece.zeroCopy) return this.#io.write(piece.zeroCopy, piece.start, piece.end <= size);
    const length = piece.end - piece.start;
    const bounce = takeBounce(length);
    try {
      const edges: Promise<void>[] = [];
      if (piece.userStart > piece.start) edges.push(this.#fillBlock(bounce, 0, piece.start, size));
      const lastBlock = length - this.#block;
      if (piece.userEnd < piece.end && (lastBlock > 0 || piece.userStart === piece.start)) {
        edges.push(this.#fillBlock(bounce, lastBlock, piece.start + lastBlock, size));
      }
      if (edges.length > 0) {
        // Both reads settle before the bounce buffer can go back to the pool.
        const settled = await Promise.allSettled(edges);
        for (const edge of settled) if (edge.status === 'rejected') throw edge.reason;
      }
      copyIn(views, piece.userStart - position, bounce, piece.userStart - piece.start, piece.userEnd - piece.userStart);
      return await this.#io.write([bytesOf(bounce, 0, length)], piece.start, piece.end <= size);
    } finally {
      giveBounce(bounce);
    }
  }

  /** The block at file offset `at` into `bounce[rel..]`, as the file has it (zeros past EOF). */
  async #fillBlock(bounce: Buffer, rel: number, at: number, size: number): Promise<void> {
    const got = at < size ? await this.#io.read([bytesOf(bounce, rel, this.#block)], at) : 0;
    bounce.fill(0, rel + got, rel + this.#block);
  }

  /** The pieces of an operation; user memory goes to the kernel only for file ranges before `zeroCopyEnd`. */
  #pieces(views: Uint8Array[], position: number, total: number, zeroCopyEnd: number): Piece[] {
    const end = position + total;
    const block = this.#block;
    if (position % block === 0 && end <= zeroCopyEnd && total <= ZERO_COPY_MAX && views.length <= IOV_MAX
        && views.every((v) => v.byteLength % block === 0 && this.#io.isAligned(v, this.#memory))) {
      return [{ start: position, end, userStart: position, userEnd: end, zeroCopy: views }];
    }
    const pieces: Piece[] = [];
    const bounced = (from: number, to: number) => {
      for (let at = from; at < to; at += BOUNCE_MAX) {
        const stop = Math.min(to, at + BOUNCE_MAX);
        pieces.push({ start: at, end: stop, userStart: Math.max(position, at), userEnd: Math.min(end, stop), zeroCopy: null });
      }
    };
    const midStart = this.#up(position);
    const midEnd = Math.min(this.#down(end), zeroCopyEnd);
    const middle = views.length === 1 && midEnd > midStart ? bytesOf(views[0], midStart - position, midEnd - midStart) : null;
    if (middle !== null && this.#io.isAligned(middle, this.#memory)) {
      bounced(this.#down(position), midStart);
      for (let at = midStart; at < midEnd; at += ZERO_COPY_MAX) {
        const stop = Math.min(midEnd, at + ZERO_COPY_MAX);
        const view = bytesOf(middle, at - midStart, stop - at);
        pieces.push({ start: at, end: stop, userStart: at, userEnd: stop, zeroCopy: [view] });
      }
      bounced(midEnd, this.#up(end));
    } else {
      bounced(this.#down(position), this.#up(end));
    }
    return pieces;
  }

  /**
   * Runs `op` on every piece, PIECES_IN_FLIGHT at a time, and waits for all
   * of them even when one fails (each holds a bounce buffer or user memory
   * in the kernel until it settles). On failure, `results` are those of the
   * pieces before the first that failed.
   */
  async #run(pieces: Piece[], op: (piece: Piece) => Promise<number>): Promise<{ results: number[]; error?: unknown }> {
    const results: number[] = new Array(pieces.length);
    let next = 0;
    let failed = null as { error: unknown; at: number } | null;
    const worker = async () => {
      while (next < pieces.length && failed === null) {
        const i = next++;
        try {
          results[i] = await op(pieces[i]);
        } catch (error) {
          // Workers run concurrently: keep the first piece that failed.
          const first = failed as { at: number } | null;
          if (first === null || i < first.at) failed = { error, at: i };
        }
      }
    };
    const workers = Math.min(PIECES_IN_FLIGHT, pieces.length);
    if (workers === 1) await worker();
    else await Promise.all(Array.from({ length: workers }, worker));
    if (failed === null) return { results };
    const { error, at } = failed;
    return { results: results.slice(0, at), error };
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

/** User bytes the pieces moved, up to the first that came up short. */
function userBytes(pieces: Piece[], results: number[]): number {
  let n = 0;
  for (let i = 0; i < results.length; i++) {
    const { start, userStart, userEnd } = pieces[i];
    const useful = clamp(start + results[i] - userStart, 0, userEnd - userStart);
    n += useful;
    if (useful < userEnd - userStart) break;
  }
  return n;
}

/** Visits the views' bytes from `skip` on, `length` of them: (view, offset in it, count, bytes before). */
function eachSpan(views: Uint8Array[], skip: number, length: number,
  visit: (view: Uint8Array, at: number, n: number, before: number) => void): void {
  let before = 0;
  for (const v of views) {
    if (before === length) return;
    if (skip >= v.byteLength) {
      skip -= v.byteLength;
      continue;
    }
    const n = Math.min(length - before, v.byteLength - skip);
    visit(v, skip, n, before);
    before += n;
    skip = 0;
  }
}

/** `length` bytes from `bounce[from..]` into the views, starting `skip` bytes into them. */
function copyOut(bounce: Buffer, from: number, views: Uint8Array[], skip: number, length: number): void {
  eachSpan(views, skip, length, (v, at, n, before) => v.set(bounce.subarray(from + before, from + before + n), at));
}

/** `length` bytes of the views, starting `skip` bytes into them, into `bounce[to..]`. */
function copyIn(views: Uint8Array[], skip: number, bounce: Buffer, to: number, length: number): void {
  eachSpan(views, skip, length, (v, at, n, before) => bounce.set(v.subarray(at, at + n), to + before));
}
