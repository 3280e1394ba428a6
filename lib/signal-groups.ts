// Cancellation by AbortSignal: the abort listeners of one AioContext.
// EventTarget's own methods, not the signal's: a property of the caller's
// signal could run their code while a request is half queued.
const { addEventListener, removeEventListener } = EventTarget.prototype;

interface SignalGroup<T> {
  requests: Set<T>;
  onAbort: () => void;
}

/**
 * The AbortSignals of one context's pending requests: one abort listener
 * per signal, however many requests share it (a signal per HTTP request
 * may carry dozens of reads), removed with its last request.
 */
export class SignalGroups<T> {
  #groups = new Map<AbortSignal, SignalGroup<T>>();
  #cancel: (request: T) => void;

  /** `cancel` runs for each pending request (or batch) of a signal that aborts. */
  constructor(cancel: (request: T) => void) {
    this.#cancel = cancel;
  }

  watch(request: T, signal: AbortSignal): void {
    let group = this.#groups.get(signal);
    if (group === undefined) {
      const requests = new Set<T>();
      const onAbort = () => { for (const r of [...requests]) this.#cancel(r); };
      group = { requests, onAbort };
      this.#groups.set(signal, group);
      addEventListener.call(signal, 'abort', onAbort, { once: true });
    }
    group.requests.add(request);
  }

  /** `request` has settled. */
  unwatch(request: T, signal: AbortSignal): void {
    const group = this.#groups.get(signal);
    if (group === undefined || !group.requests.delete(request) || group.requests.size > 0) return;
    removeEventListener.call(signal, 'abort', group.onAbort);
    this.#groups.delete(signal);
  }
}
