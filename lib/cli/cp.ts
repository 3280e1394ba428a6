// linux-aio cp SRC DST: a pipelined copy through kernel AIO into a new file
// beside DST, checked for size (and with --verify, content), then renamed
// over DST; optionally timed against copyFile.
import { createHash, type Hash } from 'node:crypto';
import { copyFile, open as nodeOpen, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { AioFileHandle } from '../promises.js';
import { formatBytes, UsageError } from './args.js';
import { CliError, type Command } from './command.js';
import { type Destination, destination } from './destination.js';
import { ByteProgress, ProgressLine } from './progress.js';
import { sizeIsLength } from './source-size.js';
import { TempFile } from './temp-file.js';
import { openSource, PIPELINE_HELP, PIPELINE_OPTIONS, pipelineOptions, type Pipeline, readSource } from './transfer.js';

interface Copied { bytes: number; seconds: number; sha256: string | null }

/** Writes all of `chunk` at `position` (a short write is continued, as node's writeFile does). */
async function writeAll(fh: AioFileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let done = 0; done < chunk.length;) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.length - done, position + done);
    if (bytesWritten === 0) throw new CliError(`write of ${chunk.length - done} bytes at ${position + done} wrote nothing`);
    done += bytesWritten;
  }
}

/** What `from` reads to its end, written to `to` at the same offsets, `depth` reads and `depth` writes in flight; resolves to the bytes copied. */
async function pipe(from: AioFileHandle, to: AioFileHandle, p: Pipeline, bar: ByteProgress, hash: Hash | null): Promise<number> {
  const writes = new Set<Promise<void>>();
  let read = 0;
  let written = 0;
  try {
    for await (const chunk of from.readChunks({ chunkSize: p.chunk, depth: p.depth })) {
      hash?.update(chunk);
      const write: Promise<void> = writeAll(to, chunk, read).then(() => {
        writes.delete(write);
        bar.update(written += chunk.length);
      });
      write.catch(() => {}); // surfaced by the race or the final wait
      writes.add(write);
      read += chunk.length;
      if (writes.size >= p.depth) await Promise.race(writes);
    }
    await Promise.all(writes);
  } finally {
    // None may still be in flight when the file is closed and removed.
    await Promise.allSettled(writes);
  }
  bar.update(written, true);
  return read;
}

/** sha256 of a file, read back the way it was written. */
async function digest(path: string, p: Pipeline, line: ProgressLine): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readSource(path, p, line, 'verify')) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * `src` into a new file beside `dst`, renamed over it once its size (and
 * with `verify`, its sha256) is checked; on any failure the new file is
 * removed and DST left as it was. `sync`: fdatasync before the clock stops.
 */
async function copy(src: string, dst: Destination, p: Pipeline, line: ProgressLine, verify: boolean, sync: boolean): Promise<Copied> {
  const started = process.hrtime.bigint();
  const { fh: from, stats } = await openSource(src, p.direct);
  const { size } = stats;
  let temp: TempFile | undefined;
  try {
    const sized = sizeIsLength(src, stats);
    // Permission bits only, as cp does: a copy is not setuid, setgid or sticky.
    temp = await TempFile.create(dst.path, stats.mode & 0o777, p.direct);
    const to = temp.fh;
    // Direct writes inside the file are truly asynchronous in the kernel;
    // ones that extend it would go to the threadpool.
    if (p.direct) await to.truncate(size);
    const hash = verify ? createHash('sha256') : null;
    const read = await pipe(from, to, p, new ByteProgress(line, 'cp', size), hash);
    line.clear();
    if (p.direct && read !== size) await to.truncate(read);
    if (sync) await to.datasync();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [now, copied] = [(await from.stat()).size, (await to.stat()).size];
    if (sized && now !== read) throw new CliError(`'${src}' changed size during the copy: ${size} bytes at the start, ${read} read, ${now} now`);
    if (copied !== read) throw new CliError(`the copy has ${copied} bytes after ${read} were written; '${dst.path}' is left as it was`);
    const sha256 = hash?.digest('hex') ?? null;
    if (sha256 !== null) {
      const back = await digest(temp.path, p, line);
      if (back !== sha256) {
        throw new CliError(`verify failed: the copy reads back as sha256 ${back}, '${src}' was read as ${sha256}; '${dst.path}' is left as it was`);
      }
    }
    // A file replaced keeps its permission bits, as cp, writing into it, keeps them.
    if (dst.existing !== undefined) await to.chmod(dst.existing.mode & 0o777);
    await temp.commit(dst.path);
    return { bytes: read, seconds, sha256 };
  } catch (error) {
    await temp?.discard();
    throw error;
  } finally {
    line.clear();
    await from.close();
  }
}

/** node:fs copyFile of `src` next to `dst`, timed the same way (to fdatasync), then removed. */
async function nodeCopy(src: string, dst: string): Promise<number> {
  const scratch = join(dirname(dst), `.${basename(dst)}.linux-aio-compare-${process.pid}`);
  const started = process.hrtime.bigint();
  try {
    await copyFile(src, scratch);
    const fh = await nodeOpen(scratch, 'r');
    await fh.datasync();
    await fh.close();
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await unlink(scratch).catch(() => {});
  }
}

const throughput = (bytes: number, seconds: number) => `${formatBytes(bytes)} in ${seconds.toFixed(3)} s, ${formatBytes(bytes / seconds)}/s`;

export const cp: Command = {
  name: 'cp',
  summary: 'copy a file, pipelined through kernel AIO, checked for size',
  options: { ...PIPELINE_OPTIONS, verify: 'flag', compare: 'flag' },
  help: `usage: linux-aio cp [options] SRC DST

Copies the regular file SRC to the regular file DST (or into DST when it
is a directory; through DST when it is a symlink), with --depth reads and
--depth writes of --chunk bytes in flight, through linux-aio/promises.

The copy goes to a new file beside DST, .DSTNAME.linux-aio-XXXXXX, which
replaces DST (rename) only once the size of SRC, the bytes copied and its
size agree (files of /proc and /sys, whose size says nothing, are read to
their end), and with --verify its content too. So DST is never left half
written: a copy that fails, or is stopped by Ctrl-C or kill, removes the
new file and leaves DST as it was. kill -9 cannot be caught: after it the
.DSTNAME.linux-aio-XXXXXX file is left behind, for you to remove.

A new DST gets SRC's permission bits (not setuid, setgid, sticky); a
replaced one keeps its own. Like cp, it does not fsync DST (--compare does,
before the rename, to time it). A progress bar (bytes, rate, time left)
goes to standard error when it is a terminal.

options:
${PIPELINE_HELP}
  --verify      read the copy back and compare its sha256 with what was read
                from SRC, before it replaces DST
  --compare     also time node:fs copyFile of SRC (to a scratch file beside DST,
                removed afterwards); both copies are timed to fdatasync
  -h, --help    this text
`,
  async run(args) {
    const [src, dstArg, extra] = args.operands;
    if (src === undefined) throw new UsageError('missing file operand');
    if (dstArg === undefined) throw new UsageError(`missing destination file operand after '${src}'`);
    if (extra !== undefined) throw new UsageError(`extra operand '${extra}'`);
    const p = pipelineOptions(args);
    const verify = args.options.has('verify');
    const compare = args.options.has('compare');
    const dst = destination(src, dstArg);
    const line = new ProgressLine(process.stderr);

    const ours = await copy(src, dst, p, line, verify, compare);
    if (verify) process.stdout.write(`verified ${ours.bytes} bytes, sha256 ${ours.sha256}\n`);
    if (compare) {
      const theirs = await nodeCopy(src, dst.path);
      process.stdout.write(`linux-aio cp${p.direct ? ' --direct' : ''}: ${throughput(ours.bytes, ours.seconds)}
node:fs copyFile: ${throughput(ours.bytes, theirs)}
ratio ${(theirs / ours.seconds).toFixed(2)}x (node:fs time / linux-aio time; both timed to fdatasync; copyFile ran second, with SRC in the page cache as the first copy left it)
`);
    }
    return 0;
  },
};
