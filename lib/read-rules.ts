// How the running node's FileHandle.read takes an odd `position` or
// `length`, learned from node's own read() rather than from its version
// number, since such changes are backported into the minor releases of
// older lines. Direct handles need it: they cannot hand a read that node
// would perform to node, whose own read of an O_DIRECT fd would fail on
// alignment.
//
// What has changed in node (lib/internal/fs/promises.js, read()):
// - nodejs/node#42835 (v21.0.0): the position is validated (an integer >= -1,
//   or a bigint from -1n to 2^63 - 1 - length; anything else throws) and a
//   bigint is passed on to the binding, which reads there. Before, every
//   position that was not a safe integer read at the current position.
// - Node 24 and 26 (as tested: 24.22, 26.12): `length |= 0` (a length that
//   is not an int32 is truncated; before, node's binding aborted the process
//   on it), and the position is validated before a read of 0 bytes answers
//   (nodejs/node#62674).

import type { AnyFn } from './node-methods.js';

/** What node's read() does with odd positions and lengths. */
export interface ReadRules {
  /**
   * node refuses a position that is not null, an integer >= -1 or a bigint
   * >= -1n, and reads at a bigint one (both came with nodejs/node#42835; what
   * is learned is the refusal of -2). Without it, every position but a safe
   * integer >= 0 is the current position.
   */
  checksPosition: boolean;
  /** node truncates a length to an int32 (`length |= 0`) before using it. */
  truncatesLength: boolean;
}

class Reached extends Error {}

/**
 * Whether node's `read`, called with `args`, would go on to its binding:
 * true when it would read, false when it throws a validation error or
 * answers without reading, null when the probe does not apply to this node.
 *
 * It runs on a stand-in for `handle` whose `fd` getter throws the second
 * time it is read. node's fsCall reads `fd` once to refuse a closed handle,
 * and read() reads it again only as the first argument of its binding
 * call, after validating: so no I/O is ever started. The stand-in's own
 * fd field is -1 and its reference count is left alone, so even a node
 * that reached the binding some other way would only get EBADF.
 */
function reachesBinding(read: AnyFn, handle: object, args: unknown[]): boolean | null {
  const standIn = Object.create(handle) as Record<PropertyKey, unknown>;
  for (const s of Object.getOwnPropertySymbols(handle)) {
    if (s.description === 'kFd') standIn[s] = -1;
  }
  for (let p = Object.getPrototypeOf(handle); p !== null; p = Object.getPrototypeOf(p)) {
    for (const s of Object.getOwnPropertySymbols(p)) {
      if (s.description === 'kRef' || s.description === 'kUnref') standIn[s] = () => {};
    }
  }
  let reads = 0;
  Object.defineProperty(standIn, 'fd', {
    get() {
      if (++reads > 1) throw new Reached();
      return 0x7fffffff; // open, as far as the closed-handle check goes
    },
  });
  let result: unknown;
  try {
    result = read.apply(standIn, args);
  } catch {
    return null; // node's read is not the async function this expects
  }
  if (result instanceof Promise) result.catch(() => {});
  if (reads === 0) return null;
  return reads > 1;
}

/**
 * The rules of node's read() where `handle` is an open or closed node
 * FileHandle and `read` node's own FileHandle.prototype.read; null when
 * they cannot be learned (then only plain arguments are taken as node's).
 */
export function learnReadRules(read: AnyFn, handle: object): ReadRules | null {
  const reaches = (...args: unknown[]) => reachesBinding(read, handle, args);
  // A plain read must reach the binding and a bad offset must not, or the
  // probe does not see what it thinks it sees.
  if (reaches(Buffer.alloc(1), 0, 1, 0) !== true || reaches(Buffer.alloc(1), -1, 1, 0) !== false) return null;
  const refusesNegative = reaches(Buffer.alloc(1), 0, 1, -2);
  // A length of 0.5 is read as 0 (answered at once) where it is truncated;
  // otherwise node would hand it to its binding (which would abort on it:
  // the stand-in's fd getter throws first).
  const readsHalfByte = reaches(Buffer.alloc(1), 0, 0.5, null);
  if (refusesNegative === null || readsHalfByte === null) return null;
  return { checksPosition: !refusesNegative, truncatesLength: !readsHalfByte };
}
