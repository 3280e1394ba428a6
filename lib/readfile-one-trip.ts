// Whether the running node's readFile(path) opens, reads and closes a small
// file in one threadpool round trip (node 26 does, as tested: 26.12). Where
// it does, the drop-in's readFile of a path, which takes three (open, fstat,
// close) around its kernel read, is several times slower for the small
// files a service reads most, so it leaves paths to node (FileHandle's
// readFile stays the drop-in's). Learned from node's own readFile, once, not
// from its version number: that round trip's errors name the path, so
// reading a directory fails with an EISDIR that has `path`, where node's
// older readFile fails in its read(), whose errors name none.
import * as nodeFs from 'node:fs/promises';

let known: boolean | undefined;
let probe: Promise<boolean> | undefined;

/** The answer once learned, else undefined (then await readFileInOneTrip()). */
export function readFileInOneTripKnown(): boolean | undefined {
  return known;
}

export function readFileInOneTrip(): Promise<boolean> {
  probe ??= nodeFs.readFile('/').then(() => false, (error: { code?: unknown; path?: unknown }) =>
    error?.code === 'EISDIR' && error.path !== undefined).then((answer) => (known = answer));
  return probe;
}
