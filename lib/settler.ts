// Settling: what follows once a request's result is known. A request gets
// its Completion (resolving its Promise), which every completions()
// iterator sees; a batch's read puts its result in the batch's array; a
// drop-in read hands its result to the drop-in. All are counted; requests
// and batches leave their AbortSignal's group (a drop-in read has none).
import { constants as osConstants } from 'node:os';

import { CompletionStream } from './completion-stream.js';
import type { HandleRead } from './handle-read.js';
import { BatchRead, type ReadBatch } from './read-batch.js';
import { AioRequest, type Completion, completionOf } from './request.js';
import { SignalGroups } from './signal-groups.js';
import { cancelWon, type Submittable } from './submittable.js';
import type { JsCounts } from './types.js';
import { isAborted } from './validate.js';

const { ECANCELED } = osConstants.errno;

/** The counters of AioStats that settling keeps. */
export type SettleCounts = Pick<JsCounts, 'completed' | 'cancelled' | 'errors'>;

export class Settler {
  /** The AbortSignals of pending requests and batches. */
  readonly signals: SignalGroups<AioRequest | ReadBatch>;
  #streams = new Set<CompletionStream>();
  #counts: SettleCounts;

  /** `cancel` runs for each pending request or batch of a signal that aborts. */
  constructor(counts: SettleCounts, cancel: (request: AioRequest | ReadBatch) => void) {
    this.#counts = counts;
    this.signals = new SignalGroups(cancel);
  }

  /**
   * Watches `signal` for `item`, a request or a batch. False if it has
   * aborted already: then `reads` (the request itself by default) are
   * settled cancelled, never having reached the kernel.
   */
  admit(item: AioRequest | ReadBatch, signal: AbortSignal | undefined, reads?: readonly Submittable[]): boolean {
    if (signal === undefined) return true;
    if (isAborted(signal)) {
      for (const r of reads ?? [item as AioRequest]) this.settle(r, -ECANCELED, 0, true);
      return false;
    }
    if (reads === undefined || reads.length > 0) this.signals.watch(item, signal);
    return true;
  }

  /**
   * Settles `r` with the kernel's `res` and `res2`. `neverSubmitted`: it was
   * cancelled before reaching the kernel. `syscall` names a failure that was
   * not the operation's own (io_submit's).
   */
  settle(r: Submittable, res: number, res2: number, neverSubmitted: boolean, syscall?: string): void {
    const counts = this.#counts;
    counts.completed++;
    if (res < 0) counts.errors++;
    if (r instanceof AioRequest) {
      const completion = completionOf(r, res, res2, neverSubmitted, syscall);
      if (completion.cancelled) counts.cancelled++;
      const signal = r._signal;
      r._settle(completion);
      if (signal !== undefined) this.signals.unwatch(r, signal);
      if (this.#streams.size > 0) for (const stream of this.#streams) stream.push(completion);
      return;
    }
    if (cancelWon(r, res, neverSubmitted)) counts.cancelled++;
    if (r instanceof BatchRead) {
      const { batch } = r;
      if (batch.settle(r, res) && batch.signal !== undefined) this.signals.unwatch(batch, batch.signal);
      return;
    }
    (r as HandleRead)._settle(res);
  }

  /** A new iterator of every Completion from now on. */
  stream(): AsyncIterableIterator<Completion> {
    const stream = new CompletionStream((s) => this.#streams.delete(s));
    this.#streams.add(stream);
    return stream;
  }

  /** Ends every iterator, after what it holds has been taken. */
  endStreams(): void {
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }
}
