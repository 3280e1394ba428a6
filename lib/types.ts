// The public types of AioContext: its options, the request specs of
// submit(), and its counters.

/** The name of an operation, as in {@link AioRequest.op} and {@link RequestSpec}. */
export type AioOp = 'read' | 'write' | 'readv' | 'writev' | 'fsync' | 'fdsync' | 'poll';

/**
 * Options every operation of {@link AioContext} takes as its last argument,
 * and every {@link RequestSpec} of {@link AioContext.submit} carries.
 */
export interface OpOptions {
  /**
   * Aborting it cancels the request, as {@link AioRequest.cancel} does; the
   * Completion says whether the cancellation or the operation won. A signal
   * already aborted settles the request at once as cancelled, without
   * reaching the kernel.
   */
  signal?: AbortSignal;
  /**
   * Per-request flags, ORed: `RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT |
   * RWF_APPEND` from {@link constants}. Reads and writes only; other
   * operations throw if given any. Default 0.
   */
  rwFlags?: number;
  /** An I/O priority made by {@link ioprio}. Default: none, so the process's own applies. */
  priority?: number;
  /**
   * Any value, kept as {@link AioRequest.tag}. Use it to tell completions
   * apart, for example in {@link AioContext.completions}.
   */
  tag?: unknown;
}

/**
 * Options of {@link AioContext.readBatch}, for every read of the batch: as
 * {@link OpOptions}, without a tag.
 */
export type BatchOptions = Pick<OpOptions, 'signal' | 'rwFlags' | 'priority'>;

/** Options of the {@link AioContext} constructor. */
export interface AioContextOptions {
  /**
   * The most requests in the kernel at once (io_setup's `nr_events`), 1 to
   * 2^22. More wait in user space. Each context takes this many from the
   * system-wide limit `fs.aio-max-nr` (at least this many; the kernel
   * rounds up) until it is closed. Default 256.
   */
  maxEvents?: number;
}

/**
 * One request of an explicit batch for {@link AioContext.submit}: the
 * operation's name in `op`, the arguments of the method of that name as
 * properties, and any {@link OpOptions} alongside them.
 */
export type RequestSpec =
  | ({
    /** Which operation: as {@link AioContext.read} or {@link AioContext.write}. */
    op: 'read' | 'write';
    /** The file descriptor. */
    fd: number;
    /** The memory to read into or write from, all of it. */
    buffer: ArrayBufferView;
    /** The file offset, in bytes. */
    position: number | bigint;
  } & OpOptions)
  | ({
    /** Which operation: as {@link AioContext.readv} or {@link AioContext.writev}. */
    op: 'readv' | 'writev';
    /** The file descriptor. */
    fd: number;
    /** The buffers, in file order. */
    buffers: readonly ArrayBufferView[];
    /** The file offset of the first byte, in bytes. */
    position: number | bigint;
  } & OpOptions)
  | ({
    /** Which operation: as {@link AioContext.fsync} or {@link AioContext.fdsync}. */
    op: 'fsync' | 'fdsync';
    /** The file descriptor. */
    fd: number;
  } & OpOptions)
  | ({
    /** As {@link AioContext.poll}. */
    op: 'poll';
    /** The file descriptor. */
    fd: number;
    /** The `POLL*` bits to wait for, from {@link constants}. */
    events: number;
  } & OpOptions);

/**
 * Counters of one {@link AioContext}, from {@link AioContext.stats}. All
 * but `inFlight` and `queued` count from the context's creation and only
 * grow. Use them to check batching (`submitted / submitSyscalls`) and
 * completion overhead (`completed / callbacks`).
 */
export interface AioStats {
  /** Requests the kernel accepted at io_submit. */
  submitted: number;
  /** Requests settled, by any path. */
  completed: number;
  /** Requests settled with `cancelled: true`. */
  cancelled: number;
  /** Requests io_submit refused (settled with `res = -errno`). */
  refused: number;
  /** Requests settled with `res < 0`, refusals and cancellations included. */
  errors: number;
  /** Flushes of the user-space queue that reached io_submit. */
  batches: number;
  /** io_submit calls. */
  submitSyscalls: number;
  /** io_getevents calls (when the user-space ring is not usable). */
  reapSyscalls: number;
  /** Reaps read straight from the kernel's user-space ring. */
  ringReaps: number;
  /**
   * Reaps right after io_submit, of what the kernel finished inside it
   * (cached reads): those settle in the same loop turn, with no wakeup and
   * no crossing. Counted in `ringReaps` too.
   */
  submitReaps: number;
  /** Crossings from native code into JavaScript, each with up to 8 completions. */
  callbacks: number;
  /** Times the eventfd woke the loop. */
  wakeups: number;
  /** Now: requests submitted to the kernel and not yet completed, as {@link AioContext.inFlight}. */
  inFlight: number;
  /** Now: requests waiting in user space, as {@link AioContext.queued}. */
  queued: number;
}

/** @internal The counters of AioStats that JavaScript keeps (submitter.ts and settler.ts). */
export type JsCounts = Pick<AioStats, 'submitted' | 'completed' | 'cancelled' | 'refused' | 'errors' | 'batches'>;

/** @internal The counters of AioStats that the addon keeps, in shared memory, named by NativeContext.counterNames. */
export type NativeCounterName = Exclude<keyof AioStats, keyof JsCounts | 'inFlight' | 'queued'>;
