import { constants as osConstants } from 'node:os';

import { Completion } from './completion.js';
import { CompletionStream } from './completion-stream.js';
import { aioClosed, aioUnavailable, errnoError, invalidArgType, invalidArgValue } from './errors.js';
import { mayBlockSubmit } from './blocking-fds.js';
import { RWF_NOWAIT } from './constants.js';
import { binding, bindingError, type NativeContext } from './native.js';
import { AioRequest, RequestState, type AioOp } from './request.js';
import {
  isAborted, validateFd, validateInteger, validateOptions, validatePollEvents, validatePosition,
  validateView, validateViews, type NormalizedOptions,
} from './validate.js';

const { EAGAIN, ECANCELED, EINPROGRESS } = osConstants.errno;

// EventTarget's own methods, not the signal's: a property of the caller's
// signal could run their code while a request is half queued.
const { addEventListener, removeEventListener } = EventTarget.prototype;

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
  /** Crossings from native code into JavaScript with a batch of completions. */
  callbacks: number;
  /** Times the eventfd woke the loop. */
  wakeups: number;
  /** Now: requests submitted to the kernel and not yet completed, as {@link AioContext.inFlight}. */
  inFlight: number;
  /** Now: requests waiting in user space, as {@link AioContext.queued}. */
  queued: number;
}

const DEFAULT_MAX_EVENTS = 256;
/** Int32 params per slot, see NativeContext.submit. */
const PARAMS = 6;
// Beyond this the kernel answers EINVAL however high fs.aio-max-nr is.
const MAX_EVENTS_LIMIT = 2 ** 22;

const SYSCALL_OF: Record<AioOp, string> = {
  read: 'read', write: 'write', readv: 'readv', writev: 'writev',
  fsync: 'fsync', fdsync: 'fdatasync', poll: 'poll',
};

type Opcodes = Record<AioOp, number>;

const MOVES_DATA: Record<AioOp, boolean> = {
  read: true, write: true, readv: true, writev: true, fsync: false, fdsync: false, poll: false,
};

/**
 * A kernel AIO context (io_setup) whose completions arrive on the Node event
 * loop through an eventfd. Requests made in one turn of the event loop are
 * submitted together with one io_submit, in the loop's check phase.
 *
 * Each operation returns an {@link AioRequest} at once. Awaiting it gives
 * its {@link Completion}, which holds the kernel's result; it never
 * rejects, so check `res` or `error`. Bad arguments throw synchronously,
 * and so does any use after {@link AioContext.close} (`ERR_AIO_CLOSED`).
 * Buffers stay referenced until their request completes: do not reuse a
 * buffer before then.
 *
 * The constructor throws `ERR_AIO_UNAVAILABLE`, naming the cause and the
 * fix, where kernel AIO cannot be used (see {@link probe}). An idle context
 * does not keep the process alive; one with requests in flight does.
 * Close it when done, to give its events back to `fs.aio-max-nr`.
 *
 * @example
 * {@includeCode ../examples/aio-context.mjs}
 */
export class AioContext implements AsyncDisposable {
  /** The most requests in the kernel at once, as given to the constructor (default 256). */
  readonly maxEvents: number;

  #native: NativeContext;
  #results: Float64Array;
  #submitQueue: Int32Array;
  /** Per slot: [opcode, fd, rwFlags or poll events, ioprio, position low, position high], read by submit. */
  #params: Int32Array;
  /** Per slot: the view or views the kernel will use, read by submit. */
  #targets: AioRequest['_target'][];
  #opcodes: Opcodes;
  #slots: (AioRequest | undefined)[];
  #freeSlots: Int32Array;
  #freeCount: number;
  #queue: (AioRequest | undefined)[] = [];
  #queueHead = 0;
  #queued = 0;
  #inFlight = 0;
  #flushScheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #flushBound = () => this.#flush();
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #resolveClose: (() => void) | undefined;
  #streams = new Set<CompletionStream>();
  #signalGroups = new Map<AbortSignal, { requests: Set<AioRequest>; onAbort: () => void }>();
  #counts = { submitted: 0, completed: 0, cancelled: 0, refused: 0, errors: 0, batches: 0 };

  /**
   * Creates the kernel context (io_setup) and its eventfd. Throws
   * `ERR_AIO_UNAVAILABLE`, naming the call that failed and the fix, where
   * the addon did not load, the kernel lacks AIO, `fs.aio-max-nr` is
   * exhausted or no fd is left for the eventfd.
   *
   * @param options - Optional; `maxEvents` sets how many requests the kernel takes at once.
   */
  constructor(options?: AioContextOptions) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgType('options', 'of type object', options);
    }
    const maxEvents = options?.maxEvents === undefined
      ? DEFAULT_MAX_EVENTS
      : validateInteger(options.maxEvents, 'options.maxEvents', 1, MAX_EVENTS_LIMIT);
    if (binding === null) throw aioUnavailable(bindingError!);

    const native = new binding.NativeContext(this, AioContext.#onCompletions);
    this.#targets = new Array(maxEvents).fill(null);
    const shared = native.setup(maxEvents, process.env.LINUX_AIO_REAP !== 'syscall', this.#targets);
    if (Array.isArray(shared)) {
      native.close(() => {});
      const [errno, call] = shared;
      throw aioUnavailable(errnoError(errno, call), maxEvents);
    }
    this.maxEvents = maxEvents;
    this.#native = native;
    this.#results = new Float64Array(shared, 0, 3 * maxEvents);
    this.#submitQueue = new Int32Array(shared, 3 * 8 * maxEvents, maxEvents);
    this.#params = new Int32Array(shared, 3 * 8 * maxEvents + 4 * maxEvents, PARAMS * maxEvents);
    const c = binding.constants;
    this.#opcodes = {
      read: c.IOCB_CMD_PREAD, write: c.IOCB_CMD_PWRITE, readv: c.IOCB_CMD_PREADV,
      writev: c.IOCB_CMD_PWRITEV, fsync: c.IOCB_CMD_FSYNC, fdsync: c.IOCB_CMD_FDSYNC, poll: c.IOCB_CMD_POLL,
    };
    this.#slots = new Array(maxEvents).fill(undefined);
    this.#freeSlots = new Int32Array(maxEvents);
    // Lowest slot first, so a lightly used context touches few iocbs.
    for (let i = 0; i < maxEvents; i++) this.#freeSlots[i] = maxEvents - 1 - i;
    this.#freeCount = maxEvents;
  }

  /** Requests submitted to the kernel and not yet completed. */
  get inFlight(): number { return this.#inFlight; }
  /** Requests waiting in user space (this loop turn's batch, or for a free slot). */
  get queued(): number { return this.#queued; }
  /** True once `close()` has been called. */
  get closed(): boolean { return this.#closed; }

  /**
   * A snapshot of this context's counters: requests, syscalls and wakeups.
   * Cheap enough to call often; the object is new on each call.
   *
   * @returns A new {@link AioStats} object.
   *
   * @example
   * {@includeCode ../examples/aio-context-stats.mjs}
   */
  stats(): AioStats {
    const n = this.#native.stats();
    return {
      ...this.#counts,
      submitSyscalls: n.submitSyscalls,
      reapSyscalls: n.reapSyscalls,
      ringReaps: n.ringReaps,
      callbacks: n.callbacks,
      wakeups: n.wakeups,
      inFlight: this.#inFlight,
      queued: this.#queued,
    };
  }

  /**
   * Reads up to `buffer.byteLength` bytes of `fd` at file offset `position`
   * into `buffer` (pread). `res` is the number of bytes read: less than
   * asked at the end of the file, 0 past it, or `-errno`.
   *
   * Only `O_DIRECT` reads are truly asynchronous in the kernel: a buffered
   * read that misses the page cache runs inside io_submit and blocks the
   * event loop meanwhile. Pass `RWF_NOWAIT` in `rwFlags` to get `-EAGAIN`
   * instead, or use `linux-aio/promises`, which does that for you.
   *
   * On a pipe or socket opened without `O_NONBLOCK`, reads and writes are
   * sent with `RWF_NOWAIT`, so they complete with `-EAGAIN` instead of
   * blocking io_submit: poll for `POLLIN` or `POLLOUT` first.
   *
   * @param fd - An open file descriptor, open for reading.
   * @param buffer - Where the bytes go; its whole length is asked for.
   * @param position - The file offset in bytes: a safe integer, or a bigint below 2^63.
   * @param options - Cancellation signal, `rwFlags`, priority and tag; see {@link OpOptions}.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-read.mjs}
   */
  read(fd: number, buffer: ArrayBufferView, position: number | bigint, options?: OpOptions): AioRequest {
    return this.#rw('read', fd, buffer, position, options);
  }

  /**
   * Writes `buffer` to `fd` at file offset `position` (pwrite). `res` is the
   * number of bytes written, or `-errno`. Keep `buffer` unchanged until the
   * request completes.
   *
   * Buffered writes run inside io_submit, synchronously; only `O_DIRECT`
   * writes that stay inside the file are truly asynchronous.
   *
   * @param fd - An open file descriptor, open for writing.
   * @param buffer - The bytes to write, all of them.
   * @param position - The file offset in bytes: a safe integer, or a bigint below 2^63.
   * @param options - Cancellation signal, `rwFlags`, priority and tag; see {@link OpOptions}.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-write.mjs}
   */
  write(fd: number, buffer: ArrayBufferView, position: number | bigint, options?: OpOptions): AioRequest {
    return this.#rw('write', fd, buffer, position, options);
  }

  /**
   * One read of `fd` at `position` that fills `buffers` in order (preadv).
   * `res` is the total number of bytes read, or `-errno`. At most 1024
   * buffers.
   *
   * @param fd - An open file descriptor, open for reading.
   * @param buffers - 1 to 1024 buffers, filled in order.
   * @param position - The file offset in bytes: a safe integer, or a bigint below 2^63.
   * @param options - Cancellation signal, `rwFlags`, priority and tag; see {@link OpOptions}.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-readv.mjs}
   */
  readv(fd: number, buffers: readonly ArrayBufferView[], position: number | bigint, options?: OpOptions): AioRequest {
    return this.#rwv('readv', fd, buffers, position, options);
  }

  /**
   * One write to `fd` at `position` of `buffers`, in order (pwritev). `res`
   * is the total number of bytes written, or `-errno`. At most 1024
   * buffers.
   *
   * @param fd - An open file descriptor, open for writing.
   * @param buffers - 1 to 1024 buffers, written in order.
   * @param position - The file offset in bytes: a safe integer, or a bigint below 2^63.
   * @param options - Cancellation signal, `rwFlags`, priority and tag; see {@link OpOptions}.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-writev.mjs}
   */
  writev(fd: number, buffers: readonly ArrayBufferView[], position: number | bigint, options?: OpOptions): AioRequest {
    return this.#rwv('writev', fd, buffers, position, options);
  }

  /**
   * fsync(2) as a request: flushes the file's data and metadata to stable
   * storage. `res` is 0, or `-errno` (such as `-EIO` for a writeback
   * error). Linux >= 4.18. The kernel runs it from a workqueue, so it does
   * not block the event loop.
   *
   * Requests in flight together run in any order: to make a write durable,
   * await the write, then fsync.
   *
   * @param fd - An open file descriptor.
   * @param options - Cancellation signal, priority and tag; see {@link OpOptions}. `rwFlags` is refused.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-fsync.mjs}
   */
  fsync(fd: number, options?: OpOptions): AioRequest {
    return this.#sync('fsync', fd, options);
  }

  /**
   * fdatasync(2) as a request: like {@link AioContext.fsync}, but skips
   * metadata not needed to read the data back (such as the modification
   * time). `res` is 0, or `-errno`. Linux >= 4.18.
   *
   * @param fd - An open file descriptor.
   * @param options - Cancellation signal, priority and tag; see {@link OpOptions}. `rwFlags` is refused.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-fdsync.mjs}
   */
  fdsync(fd: number, options?: OpOptions): AioRequest {
    return this.#sync('fdsync', fd, options);
  }

  /**
   * Waits until `fd` is ready for one of `events`, a mask of `POLL*` bits
   * from {@link constants}. `res` is the mask of events that happened
   * (`POLLERR` and `POLLHUP` are always reported), or `-errno`. One-shot:
   * poll again for the next event. Linux >= 4.19.
   *
   * Use it for pipes, sockets and devices. A pending poll can be cancelled
   * (see {@link AioContext.cancel}); a regular file is always ready. The
   * kernel refuses (`res` is `-EINVAL`) a file that waits on two queues,
   * such as a FIFO opened for both reading and writing: poll each end on
   * its own fd.
   *
   * @param fd - A pipe, socket, device or other pollable file descriptor.
   * @param events - `POLL*` bits from {@link constants}, ORed; at least one.
   * @param options - Cancellation signal, priority and tag; see {@link OpOptions}. `rwFlags` is refused.
   * @returns The request, already queued; await it for its {@link Completion}.
   *
   * @example
   * {@includeCode ../examples/aio-context-poll.mjs}
   */
  poll(fd: number, events: number, options?: OpOptions): AioRequest {
    this.#assertOpen();
    const validFd = validateFd(fd);
    const mask = validatePollEvents(events);
    const o = validateOptions(options, false);
    return this.#admit(this.#make('poll', validFd, mask, 0, o));
  }

  /**
   * Submits an explicit batch now, in one io_submit with anything already
   * queued (lio_listio). Every spec is validated before any is queued, so a
   * bad spec throws and submits nothing. Returns one request per spec, in
   * order. The requests still complete in any order.
   *
   * Use it to send a batch without waiting for the end of the loop turn.
   * Calls of {@link AioContext.read} and the like made in one turn are
   * batched anyway.
   *
   * @param specs - The requests, each an operation name and its arguments; see {@link RequestSpec}.
   * @returns One queued request per spec, in the order of `specs`.
   *
   * @example
   * {@includeCode ../examples/aio-context-submit.mjs}
   */
  submit(specs: readonly RequestSpec[]): AioRequest[] {
    this.#assertOpen();
    if (!Array.isArray(specs)) throw invalidArgType('specs', 'an instance of Array', specs);
    // An index loop, not specs.map: the caller's array may carry its own map.
    const length = specs.length;
    const requests: AioRequest[] = [];
    for (let i = 0; i < length; i++) requests.push(this.#fromSpec(specs[i], `specs[${i}]`));
    // A spec's getter may have closed this context: then none is queued.
    this.#assertOpen();
    for (const r of requests) this.#enqueue(r, false);
    this.#flush();
    return requests;
  }

  /**
   * Cancels `request`, a request of this context; resolves to its
   * Completion, the same one `request.done` gives. Same as
   * {@link AioRequest.cancel}.
   *
   * A request still queued in user space is cancelled for sure (`res` is
   * `-ECANCELED`). In the kernel, only some requests can be cancelled:
   * polls and some drivers' I/O. Regular-file reads, writes and syncs run to
   * their end, and their real result arrives. `cancelled` on the Completion
   * says which won. Cancelling twice, or after completion, is harmless.
   *
   * @param request - A request made by this context.
   * @returns The request's Completion, once it has settled.
   *
   * @example
   * {@includeCode ../examples/aio-context-cancel.mjs}
   */
  cancel(request: AioRequest): Promise<Completion> {
    if (!(request instanceof AioRequest)) throw invalidArgType('request', 'an instance of AioRequest', request);
    if (request._context !== this) throw invalidArgValue('request', request, 'belongs to another AioContext');
    switch (request._state) {
      case RequestState.Queued:
        this.#queued--;
        this.#settle(request, -ECANCELED, 0, true);
        break;
      case RequestState.InFlight:
        if (!request._cancelRequested) {
          request._cancelRequested = true;
          const r = this.#native.cancel(request._slot);
          request._cancelAccepted = r === 0 || r === -EINPROGRESS;
        }
        break;
      case RequestState.Settled:
        break;
    }
    return request.done;
  }

  /**
   * Cancels every queued and in-flight request of this context, as
   * {@link AioContext.cancel} does each; resolves to their Completions once
   * all have settled. The context stays open.
   *
   * @returns The Completions of every request that was pending, once all have settled.
   *
   * @example
   * {@includeCode ../examples/aio-context-cancel-all.mjs}
   */
  cancelAll(): Promise<Completion[]> {
    const pending: AioRequest[] = [];
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const r = this.#queue[i];
      if (r !== undefined && r._state === RequestState.Queued) pending.push(r);
    }
    for (const r of this.#slots) if (r !== undefined) pending.push(r);
    return Promise.all(pending.map((r) => this.cancel(r)));
  }

  /**
   * Every Completion of this context from now on, in completion order, for
   * `for await`. Ends when the context closes, or when the loop breaks out.
   * Completions wait in memory until taken. Each call gives an independent
   * iterator; awaiting the requests themselves still works alongside it.
   *
   * Use it to handle completions in one place, telling requests apart by
   * `request.tag`.
   *
   * @returns An async iterator of Completions.
   *
   * @example
   * {@includeCode ../examples/aio-context-completions.mjs}
   */
  completions(): AsyncIterableIterator<Completion> {
    this.#assertOpen();
    const stream = new CompletionStream((s) => this.#streams.delete(s));
    this.#streams.add(stream);
    return stream;
  }

  /**
   * Cancels what can be cancelled, waits until every request has settled
   * (so the kernel has handed back every buffer), then io_destroy.
   * Idempotent: every call returns the same promise. New requests throw
   * `ERR_AIO_CLOSED` from the moment it is called; iterators from
   * {@link AioContext.completions} end.
   *
   * Requests that cannot be cancelled (regular-file I/O) finish first, so
   * close() can wait as long as they take; a poll that would never fire is
   * cancelled.
   *
   * @returns Resolves once every request has settled and the kernel context is destroyed.
   *
   * @example
   * {@includeCode ../examples/aio-context-close.mjs}
   */
  close(): Promise<void> {
    if (this.#closePromise !== undefined) return this.#closePromise;
    this.#closed = true;
    this.#closePromise = new Promise<void>((resolve) => { this.#resolveClose = resolve; });
    clearTimeout(this.#retryTimer);
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const r = this.#queue[i];
      if (r !== undefined && r._state === RequestState.Queued) this.cancel(r);
    }
    this.#queue = [];
    this.#queueHead = 0;
    for (const r of this.#slots) if (r !== undefined) this.cancel(r);
    if (this.#inFlight === 0) this.#finishClose();
    return this.#closePromise;
  }

  /** Same as {@link AioContext.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw aioClosed();
  }

  #rw(op: 'read' | 'write', fd: unknown, buffer: unknown, position: unknown, options: unknown): AioRequest {
    this.#assertOpen();
    const validFd = validateFd(fd);
    const view = validateView(buffer, 'buffer');
    const pos = validatePosition(position);
    const o = validateOptions(options, true);
    return this.#admit(this.#make(op, validFd, view, pos, o));
  }

  #rwv(op: 'readv' | 'writev', fd: unknown, buffers: unknown, position: unknown, options: unknown): AioRequest {
    this.#assertOpen();
    const validFd = validateFd(fd);
    const views = validateViews(buffers, 'buffers');
    const pos = validatePosition(position);
    const o = validateOptions(options, true);
    return this.#admit(this.#make(op, validFd, views, pos, o));
  }

  #sync(op: 'fsync' | 'fdsync', fd: unknown, options: unknown): AioRequest {
    this.#assertOpen();
    const validFd = validateFd(fd);
    const o = validateOptions(options, false);
    return this.#admit(this.#make(op, validFd, null, 0, o));
  }

  #fromSpec(spec: unknown, name: string): AioRequest {
    if (spec === null || typeof spec !== 'object') throw invalidArgType(name, 'of type object', spec);
    const s = spec as Record<string, unknown>;
    // Read once: a getter must not pass the switch as one op and be made as another.
    const op = s.op;
    const fd = validateFd(s.fd);
    switch (op) {
      case 'read':
      case 'write':
        return this.#make(op, fd, validateView(s.buffer, `${name}.buffer`),
          validatePosition(s.position, `${name}.position`), validateOptions(s, true));
      case 'readv':
      case 'writev':
        return this.#make(op, fd, validateViews(s.buffers, `${name}.buffers`),
          validatePosition(s.position, `${name}.position`), validateOptions(s, true));
      case 'fsync':
      case 'fdsync':
        return this.#make(op, fd, null, 0, validateOptions(s, false));
      case 'poll':
        return this.#make('poll', fd, validatePollEvents(s.events), 0, validateOptions(s, false));
      default:
        throw invalidArgValue(`${name}.op`, op,
          "must be one of 'read', 'write', 'readv', 'writev', 'fsync', 'fdsync', 'poll'");
    }
  }

  #make(op: AioOp, fd: number, target: AioRequest['_target'], position: number | bigint, o: NormalizedOptions): AioRequest {
    return new AioRequest(this, op, fd, target, position, o.rwFlags, o.priority, o.signal, o.tag);
  }

  // Reading the arguments ran the caller's code (getters, a Proxy's traps),
  // which may have closed this context: check again before queueing, or the
  // request would wait in a queue that nothing flushes (docs/contract.md:
  // One Completion per request; Bad arguments throw at once).
  #admit(request: AioRequest): AioRequest {
    this.#assertOpen();
    return this.#enqueue(request);
  }

  // Runs none of the caller's code, so the context stays as #admit saw it.
  #enqueue(request: AioRequest, schedule = true): AioRequest {
    const signal = request._signal;
    if (signal !== undefined) {
      if (isAborted(signal)) {
        // Never reaches the kernel: settles cancelled, like a queued cancel.
        this.#settle(request, -ECANCELED, 0, true);
        return request;
      }
      this.#watchSignal(request, signal);
    }
    this.#queue.push(request);
    this.#queued++;
    if (schedule) this.#scheduleFlush();
    return request;
  }

  // The flush runs in the loop's check phase (setImmediate), not on a
  // microtask: requests made by every callback of one loop turn (say, 32
  // sockets that became readable) then share one io_submit, which doubles
  // throughput in that case (benchmarks measured 250k -> 550k reads/s),
  // for about 0.5 µs more latency on a lone read.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flushBound);
  }

  // One abort listener per signal and context, however many requests share it.
  #watchSignal(request: AioRequest, signal: AbortSignal): void {
    let group = this.#signalGroups.get(signal);
    if (group === undefined) {
      const requests = new Set<AioRequest>();
      const onAbort = () => { for (const r of [...requests]) this.cancel(r); };
      group = { requests, onAbort };
      this.#signalGroups.set(signal, group);
      addEventListener.call(signal, 'abort', onAbort, { once: true });
    }
    group.requests.add(request);
  }

  #unwatchSignal(request: AioRequest, signal: AbortSignal): void {
    const group = this.#signalGroups.get(signal);
    if (group === undefined || !group.requests.delete(request) || group.requests.size > 0) return;
    removeEventListener.call(signal, 'abort', group.onAbort);
    this.#signalGroups.delete(signal);
  }

  #dequeue(): AioRequest | undefined {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const r = queue[this.#queueHead];
      queue[this.#queueHead++] = undefined;
      if (r !== undefined && r._state === RequestState.Queued) {
        // Under a steady backlog the queue never empties: drop the taken
        // head now and then, so it does not grow by one entry per request.
        if (this.#queueHead >= 1024 && this.#queueHead * 2 >= queue.length) {
          queue.splice(0, this.#queueHead);
          this.#queueHead = 0;
        }
        return r;
      }
    }
    this.#queue = [];
    this.#queueHead = 0;
    return undefined;
  }

  #prepare(r: AioRequest, slot: number): void {
    const p = this.#params;
    const at = PARAMS * slot;
    p[at] = this.#opcodes[r.op];
    p[at + 1] = r.fd;
    p[at + 2] = r.op === 'poll' ? r._target as number : r._rwFlags;
    p[at + 3] = r._priority;
    const position = r._position;
    if (typeof position === 'number') {
      p[at + 4] = position >>> 0;
      p[at + 5] = Math.floor(position / 2 ** 32);
    } else {
      p[at + 4] = Number(BigInt.asUintN(32, position));
      p[at + 5] = Number(position >> 32n);
    }
    this.#targets[slot] = r.op === 'poll' ? null : r._target;
  }

  // Moves queued requests into free slots and submits them with as few
  // io_submit calls as the kernel allows (docs/contract.md: Excess requests
  // wait in order; EAGAIN and partial submission are absorbed here).
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    const slots = this.#slots;
    const submitQueue = this.#submitQueue;
    let count = 0;
    // One look per run of requests on the same fd (a batch is usually one fd).
    let checkedFd = -1;
    let blocking = false;
    while (this.#queued > 0 && this.#freeCount > 0) {
      const r = this.#dequeue();
      if (r === undefined) break;
      if (MOVES_DATA[r.op] && (r._rwFlags & RWF_NOWAIT) === 0) {
        if (r.fd !== checkedFd) {
          checkedFd = r.fd;
          blocking = mayBlockSubmit(r.fd);
        }
        if (blocking) r._rwFlags |= RWF_NOWAIT;
      }
      const slot = this.#freeSlots[--this.#freeCount];
      this.#prepare(r, slot);
      this.#queued--;
      r._state = RequestState.InFlight;
      r._slot = slot;
      slots[slot] = r;
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
      } else if (r === -EAGAIN || r === 0) {
        this.#requeue(start, count);
        break;
      } else {
        // The kernel refused the first of the rest; the others still go.
        const slot = submitQueue[start++];
        const refused = this.#takeSlot(slot);
        this.#native.release(slot);
        this.#counts.refused++;
        this.#settle(refused, r, 0, false, 'io_submit');
      }
    }
  }

  // The kernel is short of resources: the unsubmitted requests go back to the
  // head of the queue, in order, and are retried when a completion frees
  // something or after a short wait, whichever comes first (what is in flight
  // may be polls that never complete).
  #requeue(start: number, count: number): void {
    const back: AioRequest[] = [];
    for (let i = start; i < count; i++) {
      const slot = this.#submitQueue[i];
      const r = this.#takeSlot(slot);
      this.#native.release(slot);
      r._state = RequestState.Queued;
      r._slot = -1;
      back.push(r);
    }
    this.#queue.splice(this.#queueHead, 0, ...back);
    this.#queued += back.length;
    if (this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => { this.#retryTimer = undefined; this.#flush(); }, 1);
    }
  }

  #takeSlot(slot: number): AioRequest {
    const r = this.#slots[slot]!;
    this.#slots[slot] = undefined;
    this.#targets[slot] = null;
    this.#freeSlots[this.#freeCount++] = slot;
    return r;
  }

  // The one function native code calls, with `this` bound to the owning
  // context: `count` completions wait in the shared results array.
  static #onCompletions(this: AioContext, count: number): void {
    const results = this.#results;
    for (let i = 0; i < count; i++) {
      const r = this.#takeSlot(results[3 * i]);
      this.#inFlight--;
      this.#settle(r, results[3 * i + 1], results[3 * i + 2], false);
    }
    if (this.#closePromise !== undefined) {
      if (this.#inFlight === 0) this.#finishClose();
    } else if (this.#queued > 0) {
      this.#scheduleFlush();
    }
  }

  #settle(r: AioRequest, res: number, res2: number, neverSubmitted: boolean, syscall?: string): void {
    const cancelled = neverSubmitted ||
      (r._cancelAccepted && (r.op === 'poll' ? res === 0 : res < 0));
    const error = res < 0 ? errnoError(res, syscall ?? SYSCALL_OF[r.op]) : null;
    const completion = new Completion(r, res, res2, cancelled, error);
    const signal = r._signal;
    r._settle(completion);
    if (signal !== undefined) this.#unwatchSignal(r, signal);
    const counts = this.#counts;
    counts.completed++;
    if (cancelled) counts.cancelled++;
    if (res < 0) counts.errors++;
    if (this.#streams.size > 0) for (const stream of this.#streams) stream.push(completion);
  }

  // Every request has settled. io_destroy runs on a background thread (it waits
  // for an RCU grace period); close() resolves once it has returned, so the
  // kernel's slots are back in fs.aio-nr by then.
  #finishClose(): void {
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    const resolve = this.#resolveClose!;
    if (!this.#native.close(resolve)) resolve();
  }
}
