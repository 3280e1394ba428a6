// What linux-aio/promises' open() hands node's open(), and what a direct
// file then emulates: direct I/O cannot keep every flag as asked (openPlan).
import { constants as fsConstants } from 'node:fs';

import { invalidArgType } from './errors.js';

const { O_APPEND, O_CREAT, O_DIRECT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY } = fsConstants;

const O_ACCMODE = O_RDONLY | O_WRONLY | O_RDWR;

// node's stringToFlags (lib/internal/fs/utils.js).
const STRING_FLAGS: Record<string, number> = {
  'r': O_RDONLY, 'rs': O_RDONLY | O_SYNC, 'sr': O_RDONLY | O_SYNC,
  'r+': O_RDWR, 'rs+': O_RDWR | O_SYNC, 'sr+': O_RDWR | O_SYNC,
  'w': O_TRUNC | O_CREAT | O_WRONLY, 'wx': O_TRUNC | O_CREAT | O_WRONLY | O_EXCL, 'xw': O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  'w+': O_TRUNC | O_CREAT | O_RDWR, 'wx+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL, 'xw+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  'a': O_APPEND | O_CREAT | O_WRONLY, 'ax': O_APPEND | O_CREAT | O_WRONLY | O_EXCL, 'xa': O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  'as': O_APPEND | O_CREAT | O_WRONLY | O_SYNC, 'sa': O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  'a+': O_APPEND | O_CREAT | O_RDWR, 'ax+': O_APPEND | O_CREAT | O_RDWR | O_EXCL, 'xa+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'as+': O_APPEND | O_CREAT | O_RDWR | O_SYNC, 'sa+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

export interface OpenPlan {
  /** The flags to hand node's open(): the caller's, or numeric ones. */
  flags: unknown;
  /** Flags to retry with when `flags` is refused with EACCES, or null. */
  retryFlags: number | null;
  /** Open for direct I/O. */
  direct: boolean;
  /** O_APPEND, emulated by the DirectFile. */
  append: boolean;
  /** Opened for reading only because read-modify-write needs it: reads are refused. */
  writeOnly: boolean;
  /** The flags as asked for (O_DIRECT included), for a plain O_DIRECT open. */
  asked: number;
}

/**
 * open()'s flags with `options.direct` applied. A direct file is opened
 * without O_APPEND (DirectFile appends by itself) and, when write-only,
 * for reading too (partial blocks are read, modified and written back).
 * Flags node would refuse are passed on as they are, for node to refuse.
 */
export function openPlan(flags: unknown, options: unknown): OpenPlan {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgType('options', 'of type object', options);
  }
  const direct = (options as { direct?: unknown } | undefined)?.direct;
  if (direct !== undefined && typeof direct !== 'boolean') throw invalidArgType('options.direct', 'of type boolean', direct);
  let numeric: number | undefined;
  if (flags === undefined || flags === null) numeric = O_RDONLY;
  else if (typeof flags === 'string') numeric = Object.hasOwn(STRING_FLAGS, flags) ? STRING_FLAGS[flags] : undefined;
  else if (typeof flags === 'number' && Number.isInteger(flags)) numeric = flags;
  const buffered = { flags, retryFlags: null, direct: false, append: false, writeOnly: false, asked: 0 };
  if (numeric === undefined) return buffered;
  if (direct === true) numeric |= O_DIRECT;
  if ((numeric & O_DIRECT) === 0) return buffered;
  const append = (numeric & O_APPEND) !== 0;
  const plain = numeric & ~O_APPEND;
  if ((plain & O_ACCMODE) !== O_WRONLY) {
    return { flags: plain, retryFlags: null, direct: true, append, writeOnly: false, asked: numeric };
  }
  // Without read permission, node's O_WRONLY open: partial blocks then fail as a read would.
  return { flags: (plain & ~O_ACCMODE) | O_RDWR, retryFlags: plain, direct: true, append, writeOnly: true, asked: numeric };
}
