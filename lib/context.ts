import { constants as osConstants } from 'node:os';

import { aioClosed, aioUnavailable, errnoError, invalidArgType, invalidArgValue } from './errors.js';
import type { HandleRead } from './handle-read.js';
import { binding, bindingError, type NativeContext } from './native.js';
import { ReadBatch } from './read-batch.js';
import { AioRequest, type Completion } from './request.js';
import { dataRequest, pollRequest, readBatchOf, specRequests, syncRequest } from './request-args.js';
import { Settler } from './settler.js';
import { SlotTable } from './slot-table.js';
import type { Submittable } from './submittable.js';
import { Submitter } from './submitter.js';
import type { AioContextOptions, AioStats, BatchOptions, JsCounts, NativeCounterName, OpOptions, RequestSpec } from './types.js';
import { validateContextOptions } from './validate.js';

const { ECANCELED } = osConstants.errno;

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
  #slots: SlotTable;
  #submitter: Submitter;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #resolveClose: (() => void) | undefined;
  #counts: JsCounts = { submitted: 0, completed: 0, cancelled: 0, refused: 0, errors: 0, batches: 0 };
  #settler = new Settler(this.#counts, (r) => {
    if (r instanceof ReadBatch) for (const read of r.reads) this.#cancel(read);
    else this.cancel(r);
  });

  /**
   * Creates the kernel context (io_setup) and its eventfd. Throws
   * `ERR_AIO_UNAVAILABLE`, naming the call that failed and the fix, where
   * the addon did not load, the kernel lacks AIO, `fs.aio-max-nr` is
   * exhausted or no fd is left for the eventfd.
   *
   * @param options - Optional; `maxEvents` sets how many requests the kernel takes at once.
   */
  constructor(options?: AioContextOptions) {
    const maxEvents = validateContextOptions(options);
    if (binding === null) throw aioUnavailable(bindingError!);

    const native = new binding.NativeContext(this, AioContext.#onCompletions);
    const slots = SlotTable.create(native, maxEvents, process.env.LINUX_AIO_REAP !== 'syscall');
    if (Array.isArray(slots)) {
      native.close(() => {});
      const [errno, call] = slots;
      throw aioUnavailable(errnoError(errno, call), maxEvents);
    }
    this.maxEvents = maxEvents;
    this.#native = native;
    this.#slots = slots;
    this.#submitter = new Submitter(native, slots, this.#counts,
      (request, res) => this.#settler.settle(request, res, 0, false, 'io_submit'),
      (count) => AioContext.#onCompletions.call(this, count));
  }

  /** Requests submitted to the kernel and not yet completed. */
  get inFlight(): number { return this.#submitter.inFlight; }
  /** Requests waiting in user space (this loop turn's batch, or for a free slot). */
  get queued(): number { return this.#submitter.queued; }
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
    const native = {} as Record<NativeCounterName, number>;
    const counters = this.#slots.counters;
    binding!.NativeContext.counterNames.forEach((name, i) => { native[name] = counters[i]; });
    return { ...this.#counts, ...native, inFlight: this.inFlight, queued: this.queued };
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
    this.#assertOpen();
    return this.#admit(dataRequest(this, 'read', fd, buffer, position, options));
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
    this.#assertOpen();
    return this.#admit(dataRequest(this, 'write', fd, buffer, position, options));
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
    this.#assertOpen();
    return this.#admit(dataRequest(this, 'readv', fd, buffers, position, options));
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
    this.#assertOpen();
    return this.#admit(dataRequest(this, 'writev', fd, buffers, position, options));
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
    this.#assertOpen();
    return this.#admit(syncRequest(this, 'fsync', fd, options));
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
    this.#assertOpen();
    return this.#admit(syncRequest(this, 'fdsync', fd, options));
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
    return this.#admit(pollRequest(this, fd, events, options));
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
    const requests = specRequests(this, specs);
    // A spec's getter may have closed this context: then none is queued.
    this.#assertOpen();
    for (const r of requests) if (this.#settler.admit(r, r._signal)) this.#submitter.add(r);
    this.#submitter.flush();
    return requests;
  }

  /**
   * Reads `buffers[i]` from `fd` at `positions[i]`, for every `i`, and
   * resolves once, when all have completed, to an `Int32Array` of their
   * results: bytes read (short at the end of the file), or `-errno`
   * (`-ECANCELED` for a read cancelled before it reached the kernel). It
   * never rejects. Bad arguments throw, and nothing is queued.
   *
   * The reads are requests like {@link AioContext.read}'s, in one
   * io_submit where slots allow, but without a Promise and a Completion
   * each: use it where a caller has many reads at once (a multi-get, an
   * index probe, a scan) and wants them all. They are not seen by
   * {@link AioContext.completions}. Aborting `signal` cancels those not yet
   * done, as {@link AioContext.cancel} would.
   *
   * @param fd - An open file descriptor, open for reading.
   * @param buffers - Where each read's bytes go; each buffer's whole length is asked for.
   * @param positions - The file offset of each read: an Array or TypedArray as long as `buffers`.
   * @param options - Cancellation signal, `rwFlags` and priority, for every read; see {@link BatchOptions}.
   * @returns The results, in the order of `buffers`.
   *
   * @example
   * {@includeCode ../examples/aio-context-read-batch.mjs}
   */
  readBatch(fd: number, buffers: readonly ArrayBufferView[], positions: ArrayLike<number | bigint>,
    options?: BatchOptions): Promise<Int32Array> {
    this.#assertOpen();
    const batch = readBatchOf(fd, buffers, positions, options);
    // As #admit: the arguments' getters may have closed this context.
    this.#assertOpen();
    if (batch.reads.length > 0 && this.#settler.admit(batch, batch.signal, batch.reads)) {
      for (const read of batch.reads) this.#submitter.add(read);
      this.#submitter.flushSoon();
    }
    return batch.promise;
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
    this.#cancel(request);
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
    const pending = this.#submitter.pending();
    for (const r of pending) this.#cancel(r);
    return Promise.all(pending.filter((r) => r instanceof AioRequest));
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
    return this.#settler.stream();
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
    for (const r of this.#submitter.pending()) this.#cancel(r);
    this.#submitter.stop();
    if (this.inFlight === 0) this.#finishClose();
    return this.#closePromise;
  }

  /** Same as {@link AioContext.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> { return this.close(); }

  /** @internal Queues the drop-in's FileHandle.read (handle-read.ts), checked by node's rules; it has no signal. */
  _queueHandleRead(read: HandleRead): void { this.#assertOpen(); this.#enqueue(read); }

  // A request still queued never reaches the kernel: it settles cancelled.
  #cancel(r: Submittable): void {
    if (this.#submitter.cancel(r)) this.#settler.settle(r, -ECANCELED, 0, true);
  }

  #assertOpen(): void { if (this.#closed) throw aioClosed(); }

  // Reading the arguments ran the caller's code (getters, a Proxy's traps),
  // which may have closed this context: check again, or the request would
  // wait in a queue that nothing flushes (contract: One Completion per request).
  #admit(request: AioRequest): AioRequest {
    this.#assertOpen();
    if (this.#settler.admit(request, request._signal)) this.#enqueue(request);
    return request;
  }

  #enqueue(r: Submittable): void { this.#submitter.add(r); this.#submitter.flushSoon(); }

  // Called by native code (`this` bound to the owner) and by the submitter
  // after a submit() that reaped: `count` completions wait in the done arrays.
  static #onCompletions(this: AioContext, count: number): void {
    const submitter = this.#submitter;
    const { doneSlot, doneRes, doneRes2 } = this.#slots;
    for (let i = 0; i < count; i++) {
      this.#settler.settle(submitter.takeCompleted(doneSlot[i]), doneRes[i], doneRes2[i], false);
    }
    if (this.#closePromise !== undefined) {
      if (submitter.inFlight === 0) this.#finishClose();
    } else if (submitter.queued > 0) {
      submitter.flushSoon();
    }
  }

  // Every request has settled. io_destroy runs on a background thread (it waits for
  // an RCU grace period); close() resolves once it has returned (fs.aio-nr is back).
  #finishClose(): void {
    this.#settler.endStreams();
    const resolve = this.#resolveClose!;
    if (!this.#native.close(resolve)) resolve();
  }
}
