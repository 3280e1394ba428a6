// linux-aio/promises: `import * as fs from 'linux-aio/promises'` wherever
// `import * as fs from 'node:fs/promises'` was. Every name of node:fs/promises
// is here; open() returns node's own FileHandle with faster read, write,
// readv, writev, sync, datasync and readFile, and readFile() at module level
// uses it. The never-block policy (lib/policy.ts) decides what reaches the
// kernel.
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

import { adopt, plainReadFileOptions, type AioFileHandle } from './file-handle.js';
import { policyStats, type PolicyStats } from './policy.js';
import { backendReason, currentBackend, sharedContext } from './shared-context.js';

export * from 'node:fs/promises';
export type { AioFileHandle, ReadChunksOptions } from './file-handle.js';

/** `'kernel-aio'`, or `'node-fs'` where kernel AIO is unavailable and node:fs does everything. */
export let backend: 'kernel-aio' | 'node-fs' = currentBackend();

/** Like node:fs/promises `open()`; the FileHandle goes through kernel AIO where that cannot block. */
export async function open(...args: Parameters<typeof nodeFs.open>): Promise<AioFileHandle> {
  const fh = await nodeFs.open(...args);
  if (sharedContext() === null) backend = 'node-fs';
  return adopt(fh);
}

/** Like node:fs/promises `readFile()`: regular files are read by parallel kernel reads. */
export async function readFile(...args: Parameters<typeof nodeFs.readFile>): Promise<any> {
  const [path, options] = args;
  const plain = plainReadFileOptions(options, true);
  const isPath = typeof path === 'string' || Buffer.isBuffer(path) || path instanceof URL;
  if (!isPath || plain === null || sharedContext() === null) {
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
  backend: 'kernel-aio' | 'node-fs';
  /** Why the backend is node-fs, or null. */
  reason: string | null;
}

/** How many operations took each path of the never-block policy. */
export function stats(): DropInStats {
  return { ...policyStats, backend: currentBackend(), reason: backendReason() };
}

const promises = { ...nodeFs, open, readFile };
export default promises;
