// Submission: an AioContext's queued requests into free slots and to the
// kernel, in as few io_submit calls as it allows.
import { constants as osConstants } from 'node:os';

import { mayBlockSubmit } from './blocking-fds.js';
import { RWF_NOWAIT } from './constants.js';
import type { NativeContext } from './native.js';
import { RequestState, type Submittable } from './submittable.js';
import { RequestQueue } from './request-queue.js';
import type { SlotTable } from './slot-table.js';
import type { AioOp, JsCounts } from './types.js';

const { EAGAIN, EINPROGRESS } = osConstants.errno;

const MOVES_DATA: Record<AioOp, boolean> = {
  read: true, write: true, readv: true, writev: true, fsync: false, fdsync: false, poll: false,
};

/** The counters of AioStats that submission keeps. */
export type SubmitCounts = Pick<JsCounts, 'submitted' | 'refused' | 'batches'>;

/**
 * The way from an AioContext's queue to the kernel: requests wait in the
 * queue until the loop's check phase, take free slots there and go to the
 * kernel in as few io_submit calls as it allows. What the kernel refuses
 * is handed back to the context to settle.
 */
export class Submitter {
  #queue = new RequestQueue();
  #slots: SlotTable;
  #native: NativeContext;
  #counts: SubmitCounts;
  #refuse: (request: Submittable, res: number) => void;
  #settleDone: (count: number) => void;
  #inFlight = 0;
  #flushScheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #flushBound = () => this.flush();
  #stopped = false;

  /**
   * `refuse` settles a request io_submit refused with `res` (-errno);
   * `settleDone` settles `count` completions waiting in the slot table's
   * done arrays, as the addon's callback does.
   */
  constructor(native: NativeContext, slots: SlotTable, counts: SubmitCounts,
    refuse: (request: Submittable, res: number) => void, settleDone: (count: number) => void) {
    this.#native = native;
    this.#slots = slots;
    this.#counts = counts;
    this.#refuse = refuse;
    this.#settleDone = settleDone;
  }

  /** Requests the kernel holds. */
  get inFlight(): number { return this.#inFlight; }

  /** Requests waiting in the queue. */
  get queued(): number { return this.#queue.size; }

  /** Queues `request`; it goes to the kernel at the next flush (see flushSoon and flush). */
  add(request: Submittable): void {
    this.#queue.push(request);
  }

  /** The kernel completed the request in `slot`: frees it and returns the request. */
  takeCompleted(slot: number): Submittable {
    this.#inFlight--;
    return this.#slots.vacate(slot);
  }

  /** Every request not yet settled: those queued, then those in the kernel. */
  pending(): Submittable[] {
    return [...this.#queue.waiting(), ...this.#slots.occupants()];
  }

  /**
   * Asks for `request` to be cancelled. True if it was still queued: it
   * never reaches the kernel, and the caller settles it as cancelled now.
   * In the kernel, io_cancel is tried once; whether it won shows in the
   * completion (`_cancelAccepted`).
   */
  cancel(request: Submittable): boolean {
    if (request._state === RequestState.Queued) {
      this.#queue.settledInPlace();
      return true;
    }
    if (request._state === RequestState.InFlight && !request._cancelRequested) {
      request._cancelRequested = true;
      const r = this.#native.cancel(request._slot);
      request._cancelAccepted = r === 0 || r === -EINPROGRESS;
    }
    return false;
  }

  /** Submits nothing more: the context is closing. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#queue.clear();
  }

  // The flush runs in the loop's check phase (setImmediate), not on a
  // microtask: requests made by every callback of one loop turn (say, 32
  // sockets that became readable) then share one io_submit instead of a
  // system call each; a lone read waits a little longer, until the check
  // phase, for it.
  flushSoon(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flushBound);
  }

  // Moves queued requests into free slots and submits them with as few
  // io_submit calls as the kernel allows (docs/contract.md: Excess requests
  // wait in order; EAGAIN and partial submission are absorbed here).
  flush(): void {
    this.#flushScheduled = false;
    if (this.#stopped) return;
    const slots = this.#slots;
    const submitQueue = slots.submitQueue;
    let count = 0;
    // One look per run of requests on the same fd (a batch is usually one fd).
    let checkedFd = -1;
    let blocking = false;
    while (slots.free > 0) {
      const r = this.#queue.shift();
      if (r === undefined) break;
      if (MOVES_DATA[r.op] && (r._rwFlags & RWF_NOWAIT) === 0) {
        if (r.fd !== checkedFd) {
          checkedFd = r.fd;
          blocking = mayBlockSubmit(r.fd);
        }
        if (blocking) r._rwFlags |= RWF_NOWAIT;
      }
      const slot = slots.occupy(r);
      r._state = RequestState.InFlight;
      r._slot = slot;
      submitQueue[count++] = slot;
    }
    if (count === 0) return;
    this.#counts.batches++;

    let start = 0;
    while (start < count) {
      const r = this.#native.submit(start, count - start);
      if (r > 0) {
        start += r;
        this.#inFlight += r;
        this.#counts.submitted += r;
        // What the kernel finished inside io_submit (cached reads) settles
        // now, in this loop turn: the addon reaped it as submit() returned.
        const reaped = slots.submitReaped[0];
        if (reaped > 0) {
          slots.submitReaped[0] = 0;
          this.#settleDone(reaped);
        }
      } else if (r === -EAGAIN || r === 0) {
        this.#requeue(start, count);
        break;
      } else {
        // The kernel refused the first of the rest; the others still go.
        const slot = submitQueue[start++];
        const refused = slots.vacate(slot);
        this.#native.release(slot);
        this.#counts.refused++;
        this.#refuse(refused, r);
      }
    }
  }

  // The kernel is short of resources: the unsubmitted requests go back to the
  // head of the queue, in order, and are retried when a completion frees
  // something or after a short wait, whichever comes first (what is in flight
  // may be polls that never complete).
  #requeue(start: number, count: number): void {
    const back: Submittable[] = [];
    for (let i = start; i < count; i++) {
      const slot = this.#slots.submitQueue[i];
      const r = this.#slots.vacate(slot);
      this.#native.release(slot);
      r._state = RequestState.Queued;
      r._slot = -1;
      back.push(r);
    }
    this.#queue.unshift(back);
    if (this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => { this.#retryTimer = undefined; this.flush(); }, 1);
    }
  }
}
