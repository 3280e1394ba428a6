// FileHandle.createReadStream(): node's own ReadStream (same options,
// validation, events, autoClose and FileHandle bookkeeping), whose reads
// come from readChunks, so `depth` of them are in flight instead of one.
import { fstatSync, type ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { SEEK_CUR, SEEK_SET } from './constants.js';
import { errnoError } from './errors.js';
import { readChunks } from './read-chunks.js';

/** Reads a stream keeps in flight. */
export const STREAM_DEPTH = 4;

type Seek = (fd: number, offset: number, whence: number) => number;
type NodeReadStream = ReadStream & { pos?: number; end: number };

/**
 * A stream made by node's `create` (FileHandle.prototype.createReadStream),
 * reading ahead when the file is a regular file (a pipe or a device keeps
 * node's reads: a short read is not the end there). Without `start`, node
 * reads at the file position and moves it; so does this stream, one chunk
 * at a time as chunks are delivered.
 */
export function readAheadStream(fh: FileHandle, create: (...args: unknown[]) => ReadStream, args: unknown[], seek: Seek): ReadStream {
  const stream = create.apply(fh, args) as NodeReadStream;
  if (fh.fd === -1 || !fstatSync(fh.fd).isFile()) return stream;
  const nodeDestroy = stream._destroy;
  let chunks: AsyncGenerator<Buffer, void, undefined> | null = null;
  let pending: Promise<void> | null = null;
  let cursorStart = -1;

  stream._read = () => {
    if (chunks === null) {
      let start = stream.pos;
      let end = stream.end;
      if (start === undefined) {
        start = cursorStart = seek(fh.fd, 0, SEEK_CUR);
        if (start < 0) {
          stream.destroy(errnoError(start, 'lseek'));
          return;
        }
        end += start; // node counts `end` from where it starts reading then
      }
      chunks = readChunks(fh, { chunkSize: stream.readableHighWaterMark, depth: STREAM_DEPTH, start, end });
    }
    pending = chunks.next().then(({ value, done }) => {
      pending = null;
      if (stream.destroyed) return;
      if (done) {
        stream.push(null);
        return;
      }
      stream.bytesRead += value.length;
      if (stream.pos !== undefined) stream.pos += value.length;
      else seek(fh.fd, cursorStart + stream.bytesRead, SEEK_SET);
      stream.push(value);
    }, (error: unknown) => {
      pending = null;
      stream.destroy(error as Error);
    });
  };

  // node closes the handle once no read is pending: wait for ours, and
  // stop reading ahead.
  stream._destroy = (error, callback) => {
    const finish = () => nodeDestroy.call(stream, error, callback);
    void chunks?.return(undefined);
    if (pending === null) finish();
    else pending.then(finish, finish);
  };
  return stream;
}
