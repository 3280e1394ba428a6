import type { Completion } from './request.js';

/**
 * The iterator behind `AioContext.completions()`: buffers completions until
 * they are asked for, ends when the context closes or the consumer stops.
 */
export class CompletionStream implements AsyncIterableIterator<Completion> {
  #buffered: Completion[] = [];
  #waiting: ((r: IteratorResult<Completion>) => void)[] = [];
  #ended = false;
  #onReturn: (stream: CompletionStream) => void;

  /** @internal */
  constructor(onReturn: (stream: CompletionStream) => void) {
    this.#onReturn = onReturn;
  }

  /** @internal */
  push(completion: Completion): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter({ value: completion, done: false });
    else this.#buffered.push(completion);
  }

  /** @internal Ends after what is buffered has been taken. */
  end(): void {
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Completion>> {
    if (this.#buffered.length > 0) return Promise.resolve({ value: this.#buffered.shift()!, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<Completion>> {
    this.#buffered.length = 0;
    if (!this.#ended) {
      this.end();
      this.#onReturn(this);
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
