import type { ErrnoError } from './errors.js';
import type { AioRequest } from './request.js';

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
