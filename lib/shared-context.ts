// The AioContext behind linux-aio/promises: one per environment (each worker
// loads its own copy of this module), created on first use. An idle context
// does not hold the event loop open.
import { AioContext } from './context.js';
import { probe } from './probe.js';

let context: AioContext | null | undefined;
let reason: string | null = null;

function forcedNodeFs(): boolean {
  return process.env.LINUX_AIO_BACKEND === 'node-fs';
}

/** `'kernel-aio'` when kernel AIO serves the drop-in, `'node-fs'` when node:fs does it all. */
export function currentBackend(): 'kernel-aio' | 'node-fs' {
  if (context === null || forcedNodeFs()) return 'node-fs';
  return probe().aio.supported ? 'kernel-aio' : 'node-fs';
}

/** Why the backend is node-fs, or null. */
export function backendReason(): string | null {
  if (forcedNodeFs()) return 'LINUX_AIO_BACKEND=node-fs';
  if (reason !== null) return reason;
  const aio = probe().aio;
  return aio.supported ? null : aio.reason;
}

/** The shared context, or null where kernel AIO is unavailable. */
export function sharedContext(): AioContext | null {
  if (context !== undefined) return context;
  if (currentBackend() === 'node-fs') return (context = null);
  try {
    context = new AioContext({ maxEvents: 256 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_AIO_UNAVAILABLE') throw error;
    reason = (error as Error).message;
    context = null;
  }
  return context;
}
