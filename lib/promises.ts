// linux-aio/promises: `import * as fs from 'linux-aio/promises'` wherever
// `import * as fs from 'node:fs/promises'` was. Every name of node:fs/promises
// is here; open() returns node's own FileHandle with faster read, write,
// readv, writev, sync, datasync and readFile, and readFile() at module level
// uses it. The never-block policy (lib/policy.ts) decides what reaches the
// kernel.
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

import { bounceStats } from './bounce-pool.js';
import { openPlan } from './direct-handle.js';
import { adopt, isDirectHandle, type AioFileHandle } from './file-handle.js';
import { readFileOptions } from './handle-args.js';
import { policyStats, type PolicyStats } from './policy.js';
import { backendReason, currentBackend, sharedContext } from './shared-context.js';

export * from 'node:fs/promises';

type AnyFn = (...args: unknown[]) => Promise<void>;
export type { AioFileHandle } from './file-handle.js';
export type { ReadChunksOptions } from './read-chunks.js';

/**
 * `'kernel-aio'`, or `'node-fs'` where kernel AIO is unavailable and node:fs
 * does everything. Settled by the first open() (or readFile(), stats()).
 */
export let backend: 'kernel-aio' | 'node-fs' = currentBackend();

/** The shared context, keeping `backend` up to date. */
function kernelContext(): ReturnType<typeof sharedContext> {
  const ctx = sharedContext();
  if (ctx === null) backend = 'node-fs';
  return ctx;
}

export interface OpenOptions {
  /**
   * Open for direct I/O (O_DIRECT): the page cache is bypassed, and reads
   * and writes take any buffer, offset and length (unaligned ones through
   * aligned bounce buffers). Same as O_DIRECT in `flags`.
   */
  direct?: boolean;
}

/**
 * Like node:fs/promises `open()`; the FileHandle goes through kernel AIO
 * where that cannot block. `options.direct` opens for direct I/O.
 */
export async function open(
  path: Parameters<typeof nodeFs.open>[0], flags?: string | number, mode?: Parameters<typeof nodeFs.open>[2], options?: OpenOptions,
): Promise<AioFileHandle> {
  const plan = openPlan(flags, options);
  let fh: FileHandle;
  let writeOnly = plan.writeOnly;
  try {
    fh = await nodeFs.open(path, plan.flags as string | number, mode);
  } catch (error) {
    if (plan.retryFlags === null || (error as { code?: unknown }).code !== 'EACCES') throw error;
    fh = await nodeFs.open(path, plan.retryFlags, mode);
    writeOnly = false; // the fd refuses reads by itself
  }
  kernelContext();
  const handle = adopt(fh, { append: plan.append, writeOnly });
  if (!plan.direct || isDirectHandle(handle)) return handle;
  // No direct I/O here (the addon or node's FileHandle internals are
  // missing): an O_DIRECT handle as node gives it, with the flags asked for.
  await handle.close();
  return adopt(await nodeFs.open(path, plan.asked, mode));
}

/** Like node:fs/promises `writeFile()` (writes go to the threadpool; direct handles write directly). */
export async function writeFile(...args: Parameters<typeof nodeFs.writeFile>): Promise<void> {
  const [file, data, options] = args;
  if (isDirectHandle(file)) return ((file as FileHandle).writeFile as AnyFn)(data, options);
  policyStats.threadpool++;
  return nodeFs.writeFile(...args);
}

/** Like node:fs/promises `appendFile()` (writes go to the threadpool; direct handles write directly). */
export async function appendFile(...args: Parameters<typeof nodeFs.appendFile>): Promise<void> {
  const [file, data, options] = args;
  if (isDirectHandle(file)) return ((file as FileHandle).appendFile as AnyFn)(data, options);
  policyStats.threadpool++;
  return nodeFs.appendFile(...args);
}

/** Like node:fs/promises `readFile()`: regular files are read by parallel kernel reads. */
export async function readFile(...args: Parameters<typeof nodeFs.readFile>): Promise<any> {
  const [path, options] = args;
  if (isDirectHandle(path)) return (path as FileHandle).readFile(options as Parameters<FileHandle['readFile']>[0]);
  const isPath = typeof path === 'string' || Buffer.isBuffer(path) || path instanceof URL;
  // node opens with options.flag || 'r'; any other flag is node's to open.
  const flag = options !== null && typeof options === 'object' ? (options as { flag?: unknown }).flag || 'r' : 'r';
  if (!isPath || flag !== 'r' || readFileOptions(options) === null || kernelContext() === null) {
    policyStats.threadpool++;
    return nodeFs.readFile(...args);
  }
  // As node does it: open, read the handle, close, and report both errors.
  const fh = await open(path, 'r', 0o666);
  let result: Buffer | string;
  try {
    result = await fh.readFile(options as Parameters<FileHandle['readFile']>[0]);
  } catch (opError) {
    try {
      await fh.close();
    } catch (closeError) {
      // node's aggregateTwoErrors(closeError, opError)
      const err = new AggregateError([opError, closeError], (opError as Error).message);
      (err as AggregateError & { code?: unknown }).code = (opError as { code?: unknown }).code;
      throw err;
    }
    throw opError;
  }
  await fh.close();
  return result;
}

export interface DropInStats extends PolicyStats {
  /** Pieces of direct I/O copied through an aligned bounce buffer (unaligned buffers, offsets or lengths). */
  bounced: number;
  backend: 'kernel-aio' | 'node-fs';
  /** Why the backend is node-fs, or null. */
  reason: string | null;
}

/** How many operations took each path of the never-block policy. */
export function stats(): DropInStats {
  const reason = backendReason();
  kernelContext();
  return { ...policyStats, bounced: bounceStats.bounced, backend, reason };
}

const promises = { ...nodeFs, open, readFile, writeFile, appendFile };
export default promises;
