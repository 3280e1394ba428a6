// The drop-in's FileHandle.read: one iocb like a request's, without the
// AioRequest, the Completion and the async function a read through
// AioContext would cost. The kernel's result goes straight to `finish`,
// which resolves the read's one Promise with node's result object, or
// hands the read to node. That is the JavaScript the hot path of
// linux-aio/promises saves per read.
import { RequestState, type Submittable } from './submittable.js';

/**
 * @internal What a HandleRead's result is handed to: one function for every
 * read, not a closure each. It runs inside the settle loop, so it must not
 * throw: the completions after it would never settle. What it starts (a
 * fallback to node's read) runs in the context's async context, not the
 * caller's; the caller's own code after `await fh.read()` is unaffected.
 */
export type FinishRead = (read: HandleRead, res: number) => void;

// One executor for every read, as for AioRequest (request.ts).
let captured: ((value: unknown) => void) | undefined;
function captureResolve(resolve: (value: unknown) => void): void {
  captured = resolve;
}

/** @internal One FileHandle.read of the drop-in, queued and submitted as a request is. */
export class HandleRead implements Submittable {
  readonly op = 'read' as const;
  _state = RequestState.Queued;
  _slot = -1;
  _priority = -1;
  _cancelRequested = false;
  _cancelAccepted = false;
  /** Resolves to what FileHandle.read resolves to, or follows node's read when it was handed over. */
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;

  /**
   * `_target` is the part of `buffer` read into: `length` bytes at
   * `offset`. `handle` and the rest are `finish`'s, which is called once,
   * with the kernel's result or -errno.
   */
  constructor(readonly fd: number, public _target: ArrayBufferView | null, public _position: number,
    public _rwFlags: number, readonly handle: object, readonly buffer: ArrayBufferView,
    readonly offset: number, readonly length: number, readonly finish: FinishRead) {
    this.promise = new Promise(captureResolve);
    this.resolve = captured!;
    captured = undefined;
  }

  /** @internal The kernel's result (or -errno): settles this read once. */
  _settle(res: number): void {
    this._state = RequestState.Settled;
    this._target = null;
    this.finish(this, res);
  }
}
