// The AioContext behind linux-aio/promises: one per environment (each worker
// loads its own copy of this module), created on first use. An idle context
// does not hold the event loop open.
//
// Where it cannot be created, node:fs serves everything. A cause that can
// pass, because other processes or the application free what it lacks (a
// full fd table, memory, fs.aio-max-nr, epoll watches), is tried again by
// the first use at least RETRY_MS after the last try: the process does not
// stay on node:fs for ever, and does not pay a failed setup per request
// while the limit holds. Any other cause (no addon, not Linux, ENOSYS,
// LINUX_AIO_BACKEND=node-fs) is final.
import { existsSync } from 'node:fs';

import { AioContext } from './context.js';
import { binding, bindingError } from './native.js';

/** The least time between two tries to create the context after a failure that can pass. */
export const RETRY_MS = 1000;

const PASSING = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN', 'ENOSPC']);

type Backend = 'node-fs' | 'kernel-aio';

let context: AioContext | null | undefined;
let reason: string | null = null;
/** performance.now() from which a use tries again; Infinity when the cause is final. */
let retryAt = Infinity;
let onSettled: ((backend: Backend) => void) | undefined;

function forcedNodeFs(): boolean {
  return process.env.LINUX_AIO_BACKEND === 'node-fs';
}

/**
 * `'kernel-aio'` when kernel AIO serves the drop-in, `'node-fs'` when node:fs
 * does it all. Until the shared context exists this is what a cheap look
 * says (the addon loaded, /proc/sys/fs/aio-nr exists); creating the context
 * (the first open()) settles it. probe() is not used: it costs io_destroy
 * calls, which wait for an RCU grace period (tens of milliseconds on a VM).
 */
export function currentBackend(): Backend {
  if (context === null || forcedNodeFs() || binding === null) return 'node-fs';
  if (context === undefined && !existsSync('/proc/sys/fs/aio-nr')) return 'node-fs';
  return 'kernel-aio';
}

/** Calls `listener` with the backend each time creating the shared context settles it. */
export function watchBackend(listener: (backend: Backend) => void): void {
  onSettled = listener;
}

/** Why the backend is node-fs, or null. Creates the shared context to know for sure. */
export function backendReason(): string | null {
  if (forcedNodeFs()) return 'LINUX_AIO_BACKEND=node-fs';
  if (binding === null) return `the addon did not load: ${bindingError?.message}`;
  sharedContext();
  return reason;
}

/**
 * The shared context, or null where kernel AIO is unavailable (for now, or
 * for good). Nothing outside this module holds it, so nothing closes it: a
 * caller may submit to it whenever it is not null.
 */
export function sharedContext(): AioContext | null {
  if (context !== undefined && (context !== null || performance.now() < retryAt)) return context;
  if (forcedNodeFs() || binding === null) return settle(null, Infinity);
  try {
    const created = new AioContext({ maxEvents: 256 });
    reason = null;
    return settle(created, Infinity);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_AIO_UNAVAILABLE') throw error;
    reason = (error as Error).message;
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    return settle(null, code !== undefined && PASSING.has(code) ? performance.now() + RETRY_MS : Infinity);
  }
}

function settle(created: AioContext | null, retry: number): AioContext | null {
  context = created;
  retryAt = retry;
  onSettled?.(created === null ? 'node-fs' : 'kernel-aio');
  return created;
}
