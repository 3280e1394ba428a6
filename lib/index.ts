// linux-aio: kernel asynchronous I/O for Node.js.
export { AioContext } from './context.js';
export type { AioContextOptions, AioStats, OpOptions, RequestSpec } from './context.js';
export { AioRequest } from './request.js';
export type { AioOp } from './request.js';
export { Completion } from './completion.js';
export { allocAligned, dioAlignment, isAligned } from './buffers.js';
export type { DioAlignment } from './buffers.js';
export { ioprio } from './ioprio.js';
export { probe } from './probe.js';
export type { Feature, ProbeResult } from './probe.js';
export { constants } from './constants.js';
export type { ErrnoError } from './errors.js';
