// The JavaScript side of a context's iocb slots (addon/context.h).
import type { NativeContext, SetupCall, SharedArrays } from './native.js';
import { binding } from './native.js';
import type { SubmitTarget, Submittable } from './submittable.js';
import type { AioOp } from './types.js';

/**
 * The most completions handed to JavaScript in one call after a wakeup.
 * Settling a chunk lets its requests' continuations queue new requests,
 * which reach the kernel before the next chunk is settled, instead of
 * after JavaScript has worked through a whole burst of completions.
 */
function reapChunk(capacity: number): number {
  return Math.min(capacity, REAP_CHUNK);
}

// With O_DIRECT reads 32 deep (benchmarks/direct-reads.ts), chunks of 8 and
// of 4 both gave more IOPS than settling all 32 at once; 4 cost more CPU per
// read, in io_submit calls and wakeups.
const REAP_CHUNK = 8;

/** What the kernel will touch for one slot: the view or views, null for the others. */
type SlotTarget = Exclude<SubmitTarget, number>;

/**
 * The JavaScript side of a context's iocb slots (addon/context.h): which
 * request holds each slot, the free list, and the writing of a request's
 * parameters into the memory shared with the addon (addon/shared_arrays.h),
 * from which submit() builds the iocbs of a whole batch in one call.
 */
export class SlotTable {
  /** Slot numbers to submit, in order; read by NativeContext.submit. */
  readonly submitQueue: Int32Array;
  /** The completions the addon wrote before calling back: slot, res and res2 of each. */
  readonly doneSlot: Int32Array;
  readonly doneRes: Float64Array;
  readonly doneRes2: Float64Array;
  /** [0]: completions submit() reaped into the done arrays as it returned (see Submitter.flush). */
  readonly submitReaped: Int32Array;
  #shared: SharedArrays;
  #targets: SlotTarget[];
  #requests: (Submittable | undefined)[];
  #free: Int32Array;
  #freeCount: number;
  #opcodes: Record<AioOp, number>;

  /**
   * Sets up `native` for `capacity` slots. Returns the table, or the
   * negative errno and the call that failed.
   */
  static create(native: NativeContext, capacity: number, useRing: boolean): SlotTable | [errno: number, call: SetupCall] {
    const targets: SlotTarget[] = new Array(capacity).fill(null);
    const shared = native.setup(capacity, useRing, targets, reapChunk(capacity));
    return Array.isArray(shared) ? shared : new SlotTable(capacity, shared, targets);
  }

  private constructor(capacity: number, shared: SharedArrays, targets: SlotTarget[]) {
    this.#shared = shared;
    this.#targets = targets;
    this.submitQueue = shared.submitQueue;
    this.doneSlot = shared.doneSlot;
    this.doneRes = shared.doneRes;
    this.doneRes2 = shared.doneRes2;
    this.submitReaped = shared.submitReaped;
    this.#requests = new Array(capacity).fill(undefined);
    this.#free = new Int32Array(capacity);
    // Lowest slot first, so a lightly used context touches few iocbs.
    for (let i = 0; i < capacity; i++) this.#free[i] = capacity - 1 - i;
    this.#freeCount = capacity;
    const c = binding!.constants;
    this.#opcodes = {
      read: c.IOCB_CMD_PREAD, write: c.IOCB_CMD_PWRITE, readv: c.IOCB_CMD_PREADV,
      writev: c.IOCB_CMD_PWRITEV, fsync: c.IOCB_CMD_FSYNC, fdsync: c.IOCB_CMD_FDSYNC, poll: c.IOCB_CMD_POLL,
    };
  }

  /** Slots no request holds. */
  get free(): number { return this.#freeCount; }

  /** The addon's counters, named by NativeContext.counterNames. */
  get counters(): Float64Array { return this.#shared.counters; }

  /** Gives `request` a free slot (there must be one) and writes its parameters there. */
  occupy(request: Submittable): number {
    const slot = this.#free[--this.#freeCount];
    const s = this.#shared;
    const poll = request.op === 'poll';
    s.opcode[slot] = this.#opcodes[request.op];
    s.fd[slot] = request.fd;
    s.flags[slot] = poll ? request._target as number : request._rwFlags;
    s.priority[slot] = request._priority;
    const position = request._position;
    if (typeof position === 'number') {
      s.positionLow[slot] = position >>> 0;
      s.positionHigh[slot] = Math.floor(position / 2 ** 32);
    } else {
      s.positionLow[slot] = Number(BigInt.asUintN(32, position));
      s.positionHigh[slot] = Number(position >> 32n);
    }
    this.#targets[slot] = poll ? null : request._target as SlotTarget;
    this.#requests[slot] = request;
    return slot;
  }

  /** Frees `slot`; returns the request that held it. */
  vacate(slot: number): Submittable {
    const r = this.#requests[slot]!;
    this.#requests[slot] = undefined;
    this.#targets[slot] = null;
    this.#free[this.#freeCount++] = slot;
    return r;
  }

  /** Every request that holds a slot. */
  occupants(): Submittable[] {
    const out: Submittable[] = [];
    for (const r of this.#requests) if (r !== undefined) out.push(r);
    return out;
  }
}
