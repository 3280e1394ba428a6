import type { Completion } from './completion.js';
import type { AioContext } from './context.js';

/** The name of an operation, as in {@link AioRequest.op} and {@link RequestSpec}. */
export type AioOp = 'read' | 'write' | 'readv' | 'writev' | 'fsync' | 'fdsync' | 'poll';

/** @internal Where a request is in its life. */
export const enum RequestState {
  /** In the user-space FIFO: created this loop turn, or waiting for a free slot. */
  Queued,
  /** Handed to the kernel; owns a slot until its completion is reaped. */
  InFlight,
  /** Its Completion exists; nothing more will happen to it. */
  Settled,
}

// One executor for every request, instead of a closure each: the Promise
// constructor calls it synchronously, and the constructor takes the function
// straight back.
let captured: ((c: Completion) => void) | undefined;
function captureResolve(resolve: (c: Completion) => void): void {
  captured = resolve;
}

/**
 * One operation on an AioContext, returned at once by its methods. Await it
 * (it is a Promise) or use `done`; either way it yields exactly one
 * {@link Completion} and never rejects. Created by {@link AioContext} only.
 */
export class AioRequest extends Promise<Completion> implements PromiseLike<Completion> {
  /** Which operation this is: the name of the AioContext method that made it. */
  readonly op: AioOp;
  /** The file descriptor it works on. */
  readonly fd: number;
  /** The `tag` of its {@link OpOptions}, unchanged; undefined if none was given. */
  readonly tag: unknown;

  /** @internal */ _context: AioContext;
  /** @internal */ _state = RequestState.Queued;
  /** @internal */ _slot = -1;
  /** @internal The buffer(s), or the poll mask: kept referenced until settled. */
  _target: ArrayBufferView | readonly ArrayBufferView[] | number | null;
  /** @internal */ _position: number | bigint;
  /** @internal */ _rwFlags: number;
  /** @internal */ _priority: number;
  /** @internal */ _signal: AbortSignal | undefined;
  /** @internal */ _cancelRequested = false;
  /** @internal io_cancel said yes (0 or EINPROGRESS). */
  _cancelAccepted = false;
  /** @internal */ _resolve: (c: Completion) => void;

  /** @internal Created by AioContext only. */
  constructor(context: AioContext, op: AioOp, fd: number,
    target: ArrayBufferView | readonly ArrayBufferView[] | number | null,
    position: number | bigint, rwFlags: number, priority: number,
    signal: AbortSignal | undefined, tag: unknown) {
    super(captureResolve);
    this._resolve = captured!;
    captured = undefined;
    this._context = context;
    this.op = op;
    this.fd = fd;
    this.tag = tag;
    this._target = target;
    this._position = position;
    this._rwFlags = rwFlags;
    this._priority = priority;
    this._signal = signal;
  }

  /** Settles exactly once, with this request's Completion. Never rejects. (The request itself.) */
  get done(): Promise<Completion> {
    return this;
  }

  /**
   * Asks the kernel to cancel. Resolves to the same Completion as `done`;
   * its `cancelled` says whether the cancellation or the operation won.
   * Same as `context.cancel(request)`: see {@link AioContext.cancel} for
   * which requests can be cancelled.
   *
   * @returns The same Completion as `done`.
   *
   * @example
   * {@includeCode ../examples/aio-request-cancel.mjs}
   */
  cancel(): Promise<Completion> {
    return this._context.cancel(this);
  }

  /** @internal */
  _settle(completion: Completion): void {
    this._state = RequestState.Settled;
    this._target = null;
    this._signal = undefined;
    this._resolve(completion);
  }
}

// `await request` and `request.then()` take V8's native-promise paths (no
// extra thenable job), and derived promises are plain Promises: both look
// at `constructor`.
Object.defineProperty(AioRequest.prototype, 'constructor', { value: Promise, writable: true, configurable: true });
