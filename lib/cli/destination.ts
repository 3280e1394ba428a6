// Which file cp replaces for SRC DST, and the destinations it refuses.
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { CliError } from './command.js';

export interface Destination {
  /** The file the copy is renamed over: no symlink, so the rename replaces the file and not a link. */
  path: string;
  /** Its stats when it exists. */
  existing: Stats | undefined;
}

/**
 * DST, or DST/basename(SRC) when DST is a directory, through any symlink,
 * as cp writes through one. Refuses to copy a file onto itself, to replace
 * what is not a regular file (its size is how the copy is checked, and a
 * FIFO or device has none), to write through a dangling symlink (as GNU cp
 * does), to replace a file it may not write (cp writes into DST), and a
 * directory it cannot make the new file in.
 */
export function destination(src: string, dst: string): Destination {
  const given = statSync(dst, { throwIfNoEntry: false });
  const named = given?.isDirectory() ? join(dst, basename(src)) : dst;
  const existing = named === dst ? given : statSync(named, { throwIfNoEntry: false });
  if (existing === undefined) {
    if (lstatSync(named, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new CliError(`not writing through dangling symlink '${named}'`);
    }
    return writableBeside({ path: named, existing });
  }
  const source = statSync(src, { throwIfNoEntry: false });
  if (source !== undefined && source.dev === existing.dev && source.ino === existing.ino) {
    throw new CliError(`'${src}' and '${named}' are the same file`);
  }
  if (!existing.isFile()) throw new CliError(`'${named}' is not a regular file`);
  accessSync(named, constants.W_OK);
  return writableBeside({ path: realpathSync(named), existing });
}

/** `d`, once its directory is known to take the new file made beside it (and the rename over it). */
function writableBeside(d: Destination): Destination {
  accessSync(dirname(d.path), constants.W_OK);
  return d;
}
