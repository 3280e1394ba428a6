// readBatch(): many reads that resolve once, together. Each read is an iocb
// like any request's, but it has no Promise and no Completion of its own:
// its result goes into the batch's Int32Array, and the batch's one Promise
// resolves when the last has arrived. That is the JavaScript a multi-get
// saves per read.
import { RequestState, type Submittable } from './submittable.js';

/** @internal One read of a batch: queued and submitted as a request is. */
export class BatchRead implements Submittable {
  readonly op = 'read' as const;
  _state = RequestState.Queued;
  _slot = -1;
  _cancelRequested = false;
  _cancelAccepted = false;

  constructor(readonly batch: ReadBatch, readonly index: number, readonly fd: number,
    public _target: ArrayBufferView | null, public _position: number | bigint,
    public _rwFlags: number, public _priority: number) {}
}

/** @internal The reads of one readBatch() call and their results. */
export class ReadBatch {
  readonly reads: BatchRead[] = [];
  /** Per read: bytes read, or -errno (-ECANCELED if cancelled). */
  readonly results: Int32Array;
  readonly signal: AbortSignal | undefined;
  readonly promise: Promise<Int32Array>;
  #resolve!: (results: Int32Array) => void;
  #remaining: number;

  constructor(count: number, signal: AbortSignal | undefined) {
    this.results = new Int32Array(count);
    this.#remaining = count;
    this.signal = signal;
    this.promise = new Promise((resolve) => { this.#resolve = resolve; });
    if (count === 0) this.#resolve(this.results);
  }

  /** Settles read `read` with `res`; true once it was the last. */
  settle(read: BatchRead, res: number): boolean {
    read._state = RequestState.Settled;
    read._target = null;
    this.results[read.index] = res;
    if (--this.#remaining > 0) return false;
    this.#resolve(this.results);
    return true;
  }
}
