// The AioContext behind linux-aio/promises: one per environment (each worker
// loads its own copy of this module), created on first use. An idle context
// does not hold the event loop open.
import { existsSync } from 'node:fs';

import { AioContext } from './context.js';
import { binding, bindingError } from './native.js';

let context: AioContext | null | undefined;
let reason: string | null = null;

function forcedNodeFs(): boolean {
  return process.env.LINUX_AIO_BACKEND === 'node-fs';
}

/**
 * `'kernel-aio'` when kernel AIO serves the drop-in, `'node-fs'` when node:fs
 * does it all. Until the shared context exists this is what a cheap look
 * says (the addon loaded, /proc/sys/fs/aio-nr exists); creating the context
 * (the first open()) settles it. probe() is not used: it costs io_destroy
 * calls, which wait for an RCU grace period (tens of milliseconds here).
 */
export function currentBackend(): 'kernel-aio' | 'node-fs' {
  if (context === null || forcedNodeFs() || binding === null) return 'node-fs';
  if (context === undefined && !existsSync('/proc/sys/fs/aio-nr')) return 'node-fs';
  return 'kernel-aio';
}

/** Why the backend is node-fs, or null. Creates the shared context to know for sure. */
export function backendReason(): string | null {
  if (forcedNodeFs()) return 'LINUX_AIO_BACKEND=node-fs';
  if (binding === null) return `the addon did not load: ${bindingError?.message}`;
  sharedContext();
  return reason;
}

/** The shared context, or null where kernel AIO is unavailable. */
export function sharedContext(): AioContext | null {
  if (context !== undefined) return context;
  if (forcedNodeFs() || binding === null) return (context = null);
  try {
    context = new AioContext({ maxEvents: 256 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_AIO_UNAVAILABLE') throw error;
    reason = (error as Error).message;
    context = null;
  }
  return context;
}
