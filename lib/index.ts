/**
 * `linux-aio`: Linux kernel asynchronous I/O for Node.js. An
 * {@link AioContext} submits reads, writes, syncs and polls with io_submit,
 * many per system call, and delivers each result as a {@link Completion}
 * on the event loop. For a drop-in replacement of node:fs/promises, see
 * `linux-aio/promises`.
 *
 * @module linux-aio
 */
export { AioContext } from './context.js';
export type { AioContextOptions, AioOp, AioStats, BatchOptions, OpOptions, RequestSpec } from './types.js';
export { AioRequest, Completion } from './request.js';
export { allocAligned, dioAlignment, isAligned } from './buffers.js';
export type { DioAlignment } from './buffers.js';
export { ioprio } from './ioprio.js';
export { probe } from './probe.js';
export type { Feature, ProbeResult } from './probe.js';
export { constants } from './constants.js';
export type { ErrnoError } from './errors.js';
