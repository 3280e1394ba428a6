// The user-space FIFO of an AioContext.
import { RequestState, type Submittable } from './submittable.js';

// Under a steady backlog the queue never empties: past this many taken
// entries, and once they are half the array, they are dropped, so the
// array does not grow by one entry per request.
const COMPACT_AFTER = 1024;

/**
 * The user-space FIFO of an AioContext: the requests made this loop turn,
 * and those waiting for a free slot (docs/contract.md: Excess requests wait
 * in order). A request cancelled while queued stays where it is, settled,
 * and shift() passes over it.
 */
export class RequestQueue {
  #items: (Submittable | undefined)[] = [];
  #head = 0;
  #size = 0;

  /** Requests still waiting. */
  get size(): number { return this.#size; }

  push(request: Submittable): void {
    this.#items.push(request);
    this.#size++;
  }

  /** Counts out a waiting request that is being settled where it stands. */
  settledInPlace(): void {
    this.#size--;
  }

  /** The oldest waiting request, taken out, or undefined. */
  shift(): Submittable | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const r = items[this.#head];
      items[this.#head++] = undefined;
      if (r !== undefined && r._state === RequestState.Queued) {
        if (this.#head >= COMPACT_AFTER && this.#head * 2 >= items.length) {
          items.splice(0, this.#head);
          this.#head = 0;
        }
        this.#size--;
        return r;
      }
    }
    this.clear();
    return undefined;
  }

  /** Puts `requests` back at the head, in their order: they were taken and could not be submitted. */
  unshift(requests: Submittable[]): void {
    // Not splice(head, 0, ...requests): a batch can be too long to pass as arguments.
    this.#items = (requests as (Submittable | undefined)[]).concat(this.#items.slice(this.#head));
    this.#head = 0;
    this.#size += requests.length;
  }

  /** Every waiting request, oldest first. */
  waiting(): Submittable[] {
    const out: Submittable[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const r = this.#items[i];
      if (r !== undefined && r._state === RequestState.Queued) out.push(r);
    }
    return out;
  }

  /** Forgets every waiting request. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
  }
}
