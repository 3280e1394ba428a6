// The never-block policy of linux-aio/promises, in one place.
//
// io_submit runs buffered I/O synchronously on the calling thread, so:
// buffered reads go to the kernel with RWF_NOWAIT and fall back to the
// threadpool when the page cache cannot serve them; writes that would block
// (buffered, appending, or extending an O_DIRECT file) go to the threadpool;
// O_DIRECT reads, in-place O_DIRECT writes and fsync (which the kernel runs
// from a workqueue) go to the kernel.
import { constants as fsConstants } from 'node:fs';

import { RWF_NOWAIT } from './constants.js';

const { O_DIRECT, O_APPEND } = fsConstants;

/** Where one operation goes. */
export type Route =
  /** Kernel AIO, truly asynchronous (O_DIRECT, fsync). */
  | 'kernel'
  /** Kernel AIO with RWF_NOWAIT: served from the page cache or refused at once. */
  | 'kernel-nowait'
  /** node:fs, through libuv's threadpool. */
  | 'threadpool';

/** Reads of a handle: O_DIRECT ones are truly asynchronous; buffered ones may only use the page cache. */
export function readRoute(statusFlags: number): Route {
  return (statusFlags & O_DIRECT) !== 0 ? 'kernel' : 'kernel-nowait';
}

/**
 * Writes of a handle. Buffered writes (and O_APPEND ones) run synchronously
 * inside io_submit, and RWF_NOWAIT is refused for them: the threadpool. An
 * O_DIRECT write is asynchronous in the kernel only when `inPlace` (it does
 * not extend the file; direct-io.ts knows the size).
 */
export function writeRoute(statusFlags: number, inPlace: boolean): Route {
  if ((statusFlags & O_DIRECT) === 0 || (statusFlags & O_APPEND) !== 0) return 'threadpool';
  return inPlace ? 'kernel' : 'threadpool';
}

const NOWAIT_OPTIONS = Object.freeze({ rwFlags: RWF_NOWAIT });
const PLAIN_OPTIONS = Object.freeze({ rwFlags: 0 });

/** The request options of a route's kernel reads (shared, so none is made per read). */
export function readOptionsFor(route: Route): { readonly rwFlags: number } {
  return route === 'kernel-nowait' ? NOWAIT_OPTIONS : PLAIN_OPTIONS;
}

/** Counters of the paths operations took, for `stats()`. */
export interface PolicyStats {
  /** Operations completed by kernel AIO (NOWAIT hits included). */
  kernel: number;
  /** Buffered reads the page cache served through RWF_NOWAIT. */
  nowaitHits: number;
  /** Operations tried in the kernel, then redone on the threadpool (NOWAIT misses, errors). */
  fallbacks: number;
  /** Operations sent straight to the threadpool by the policy. */
  threadpool: number;
}

export const policyStats: PolicyStats = { kernel: 0, nowaitHits: 0, fallbacks: 0, threadpool: 0 };

export function recordKernel(route: Route): void {
  policyStats.kernel++;
  if (route === 'kernel-nowait') policyStats.nowaitHits++;
}
