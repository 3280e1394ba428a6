// linux-aio cp SRC DST: a pipelined copy through kernel AIO, checked for
// size (and with --verify, content), optionally timed against copyFile.
import { createHash, type Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { copyFile, open as nodeOpen, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { open, type AioFileHandle } from '../promises.js';
import { formatBytes, UsageError } from './args.js';
import { CliError, type Command } from './command.js';
import { ByteProgress, ProgressLine } from './progress.js';
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

/** `src` to `dst`, `depth` reads and `depth` writes in flight. `sync`: fdatasync before the clock stops. */
async function copy(src: string, dst: string, p: Pipeline, line: ProgressLine, wantHash: boolean, sync: boolean): Promise<Copied> {
  const started = process.hrtime.bigint();
  const { fh: from, stats: { size, mode } } = await openSource(src, p.direct);
  try {
    // Permission bits only, as cp does: a copy is not setuid, setgid or sticky.
    const to = await open(dst, 'w', mode & 0o777, { direct: p.direct });
    const writes = new Set<Promise<void>>();
    let read = 0;
    let firstFailed = Infinity;
    try {
      // Direct writes inside the file are truly asynchronous in the kernel;
      // ones that extend it would go to the threadpool.
      if (p.direct) await to.truncate(size);
      const hash: Hash | null = wantHash ? createHash('sha256') : null;
      const bar = new ByteProgress(line, 'cp', size);
      let written = 0;
      for await (const chunk of from.readChunks({ chunkSize: p.chunk, depth: p.depth })) {
        hash?.update(chunk);
        const at = read;
        const write: Promise<void> = writeAll(to, chunk, at).then(() => {
          writes.delete(write);
          bar.update(written += chunk.length);
        }, (error: unknown) => {
          firstFailed = Math.min(firstFailed, at);
          throw error;
        });
        write.catch(() => {}); // surfaced by the race or the final wait
        writes.add(write);
        read += chunk.length;
        if (writes.size >= p.depth) await Promise.race(writes);
      }
      await Promise.all(writes);
      bar.update(written, true);
      if (p.direct && read !== size) await to.truncate(read);
      if (sync) await to.datasync();
      const [now, copied] = [(await from.stat()).size, (await to.stat()).size];
      if (now !== read) throw new CliError(`'${src}' changed size during the copy: ${size} bytes at the start, ${read} read, ${now} now`);
      if (copied !== read) throw new CliError(`'${dst}' has ${copied} bytes after ${read} were written`);
      return { bytes: read, seconds: Number(process.hrtime.bigint() - started) / 1e9, sha256: hash?.digest('hex') ?? null };
    } catch (error) {
      // DST ends where the copy stopped being whole, so its size does not
      // pass it off as complete (--direct sized it up front).
      await Promise.allSettled(writes);
      await to.truncate(Math.min(firstFailed, read)).catch(() => {});
      throw error;
    } finally {
      line.clear();
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** sha256 of a file, read back the way it was written. */
async function digest(path: string, p: Pipeline, line: ProgressLine): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readSource(path, p, line, 'verify')) hash.update(chunk);
  return hash.digest('hex');
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

/** DST, or DST/basename(SRC) when DST is a directory; refuses to copy a file onto itself. */
function destination(src: string, dst: string): string {
  const given = statSync(dst, { throwIfNoEntry: false });
  const target = given?.isDirectory() ? join(dst, basename(src)) : dst;
  const a = statSync(src, { throwIfNoEntry: false });
  const b = target === dst ? given : statSync(target, { throwIfNoEntry: false });
  if (a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino) {
    throw new CliError(`'${src}' and '${target}' are the same file`);
  }
  // Its size is how the copy is checked, and a FIFO or device has none.
  if (b !== undefined && !b.isFile()) throw new CliError(`'${target}' is not a regular file`);
  return target;
}

export const cp: Command = {
  name: 'cp',
  summary: 'copy a file, pipelined through kernel AIO, checked for size',
  options: { ...PIPELINE_OPTIONS, verify: 'flag', compare: 'flag' },
  help: `usage: linux-aio cp [options] SRC DST

Copies the regular file SRC to the regular file DST (or into DST when it
is a directory), keeping its permission bits (not setuid, setgid, sticky),
with --depth reads and --depth writes of --chunk bytes in flight, through
linux-aio/promises. Afterwards the sizes of SRC, DST and the bytes copied
must agree, or the copy fails. A progress bar (bytes, rate, time left) goes
to standard error when it is a terminal.

options:
${PIPELINE_HELP}
  --verify      read DST back and compare its sha256 with what was read from SRC
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
    if (verify) {
      const back = await digest(dst, p, line);
      if (back !== ours.sha256) {
        throw new CliError(`verify failed: '${dst}' reads back as sha256 ${back}, '${src}' was read as ${ours.sha256}`);
      }
      process.stdout.write(`verified ${ours.bytes} bytes, sha256 ${back}\n`);
    }
    if (compare) {
      const theirs = await nodeCopy(src, dst);
      process.stdout.write(`linux-aio cp${p.direct ? ' --direct' : ''}: ${throughput(ours.bytes, ours.seconds)}
node:fs copyFile: ${throughput(ours.bytes, theirs)}
ratio ${(theirs / ours.seconds).toFixed(2)}x (node:fs time / linux-aio time; both timed to fdatasync; copyFile ran second, with SRC in the page cache as the first copy left it)
`);
    }
    return 0;
  },
};
