// What the queue, the slot table and the submitter carry to the kernel: a
// request (request.ts), one read of a readBatch (read-batch.ts) or one
// FileHandle.read of the drop-in (handle-read.ts). Each becomes one iocb.
import type { AioOp } from './types.js';

/** @internal Where a request is in its life. */
export const enum RequestState {
  /** In the user-space FIFO: created this loop turn, or waiting for a free slot. */
  Queued,
  /** Handed to the kernel; owns a slot until its completion is reaped. */
  InFlight,
  /** Settled; nothing more will happen to it. */
  Settled,
}

/** @internal The buffer(s) the kernel uses, or a poll's mask: kept referenced until settled. */
export type SubmitTarget = ArrayBufferView | readonly ArrayBufferView[] | number | null;

/** @internal */
export interface Submittable {
  readonly op: AioOp;
  readonly fd: number;
  _state: RequestState;
  _slot: number;
  _target: SubmitTarget;
  _position: number | bigint;
  _rwFlags: number;
  _priority: number;
  _cancelRequested: boolean;
  /** io_cancel said yes (0 or EINPROGRESS). */
  _cancelAccepted: boolean;
}

/**
 * @internal Whether the cancellation won over `request`'s operation, which
 * ended with `res`: always for one never submitted (cancelled while queued,
 * or aborted before); for one io_cancel accepted, when it ended without
 * doing its work: a poll with no event (0), anything else with an error.
 */
export function cancelWon(request: Submittable, res: number, neverSubmitted: boolean): boolean {
  return neverSubmitted || (request._cancelAccepted && (request.op === 'poll' ? res === 0 : res < 0));
}
