// A request and its one outcome, its Completion: each names the other, so
// they live together.
import { type ErrnoError, errnoError } from './errors.js';
import { cancelWon, RequestState, type SubmitTarget } from './submittable.js';
import type { AioOp } from './types.js';

const SYSCALL_OF: Record<AioOp, string> = {
  read: 'read', write: 'write', readv: 'readv', writev: 'writev',
  fsync: 'fsync', fdsync: 'fdatasync', poll: 'poll',
};

/** @internal What made a request, and cancels it: its AioContext. */
export interface RequestOwner {
  cancel(request: AioRequest): Promise<Completion>;
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

  /** @internal */ _context: RequestOwner;
  /** @internal */ _state = RequestState.Queued;
  /** @internal */ _slot = -1;
  /** @internal */ _target: SubmitTarget;
  /** @internal */ _position: number | bigint;
  /** @internal */ _rwFlags: number;
  /** @internal */ _priority: number;
  /** @internal */ _signal: AbortSignal | undefined;
  /** @internal */ _cancelRequested = false;
  /** @internal io_cancel said yes (0 or EINPROGRESS). */
  _cancelAccepted = false;
  /** @internal */ _resolve: (c: Completion) => void;

  /** @internal Created by AioContext only. */
  constructor(context: RequestOwner, op: AioOp, fd: number,
    target: SubmitTarget,
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

/**
 * The one and only outcome of an {@link AioRequest}: what the kernel
 * answered, or that the request was cancelled first. Errors are values
 * here, not exceptions: check `error` (or `res < 0`) and throw it if that
 * suits the caller.
 */
export class Completion {
  /** The request this completes. */
  readonly request: AioRequest;
  /** The kernel's result, signed and unchanged: bytes, a poll mask, 0, or -errno. */
  readonly res: number;
  /** The kernel's second result, signed and unchanged (driver-specific, usually 0). */
  readonly res2: number;
  /** True iff the cancellation won: the request did not do its work. */
  readonly cancelled: boolean;
  /** `res < 0` decoded as a Node errno error (`code`, `errno`, `syscall`; see {@link ErrnoError}), else null. Never thrown. */
  readonly error: ErrnoError | null;

  /** @internal */
  constructor(request: AioRequest, res: number, res2: number, cancelled: boolean, error: ErrnoError | null) {
    this.request = request;
    this.res = res;
    this.res2 = res2;
    this.cancelled = cancelled;
    this.error = error;
  }
}

/**
 * @internal The Completion of `request` for the kernel's `res` and `res2`;
 * who won a cancel is cancelWon's to say. `syscall` names a failure that
 * was not the operation's (io_submit's).
 */
export function completionOf(request: AioRequest, res: number, res2: number, neverSubmitted: boolean,
  syscall?: string): Completion {
  const cancelled = cancelWon(request, res, neverSubmitted);
  const error = res < 0 ? errnoError(res, syscall ?? SYSCALL_OF[request.op]) : null;
  return new Completion(request, res, res2, cancelled, error);
}
