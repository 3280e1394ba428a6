// Aligned bounce buffers for direct I/O with unaligned user buffers, reused
// so that an unaligned O_DIRECT read costs a copy, not a posix_memalign.
// One pool per environment (each worker loads its own copy of this module).
// A buffer is given back only once the kernel has handed it back.
import { allocAligned } from './buffers.js';

/** The largest bounce buffer; bigger transfers go in pieces of this size. */
export const BOUNCE_MAX = 1 << 20;
const SMALLEST = 4096;
const KEPT_PER_SIZE = 8;

const free = new Map<number, Buffer[]>();

/** Pieces of direct I/O that went through a bounce buffer (copied), for stats(). */
export const bounceStats = { bounced: 0 };

function sizeClass(size: number): number {
  return Math.max(SMALLEST, 2 ** Math.ceil(Math.log2(size)));
}

/** An aligned buffer of at least `size` (at most BOUNCE_MAX) bytes, with stale contents. */
export function takeBounce(size: number): Buffer {
  const cls = sizeClass(size);
  bounceStats.bounced++;
  return free.get(cls)?.pop() ?? allocAligned(cls, 4096);
}

export function giveBounce(buffer: Buffer): void {
  let kept = free.get(buffer.length);
  if (kept === undefined) free.set(buffer.length, (kept = []));
  if (kept.length < KEPT_PER_SIZE) kept.push(buffer);
}
