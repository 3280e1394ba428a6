// What cat and cp share: the pipelining options, opening a source, and
// reading one through with a progress bar.
import type { Stats } from 'node:fs';

import { errnoError } from '../errors.js';
import { open, type AioFileHandle } from '../promises.js';
import { integerOption, type Parsed, sizeOption } from './args.js';
import { CliError } from './command.js';
import { ByteProgress, type ProgressLine } from './progress.js';

export interface Pipeline {
  /** Bytes per read and per write. */
  chunk: number;
  /** Reads (and writes) kept in flight. */
  depth: number;
  /** O_DIRECT: past the page cache. */
  direct: boolean;
}

export const PIPELINE_OPTIONS = { direct: 'flag', depth: 'value', chunk: 'value' } as const;

export const PIPELINE_HELP = `  --direct      read (and write) with O_DIRECT, past the page cache
  --depth N     reads and writes kept in flight (1-1024, default 8)
  --chunk SIZE  bytes per read and write: 65536, 64K, 1M... (4K-64M, default 1M)`;

export function pipelineOptions(args: Parsed): Pipeline {
  return {
    depth: integerOption(args, 'depth', 8, 1, 1024),
    chunk: sizeOption(args, 'chunk', 1 << 20, 4096, 64 << 20),
    direct: args.options.has('direct'),
  };
}

/** Opens a regular file for reading, through linux-aio/promises, with its stats. */
export async function openSource(path: string, direct: boolean): Promise<{ fh: AioFileHandle; stats: Stats }> {
  const fh = await open(path, 'r', undefined, { direct });
  try {
    const stats = await fh.stat();
    if (stats.isDirectory()) throw errnoError(-21 /* EISDIR */, 'read', path);
    if (!stats.isFile()) throw new CliError(`'${path}' is not a regular file`);
    return { fh, stats };
  } catch (error) {
    await fh.close();
    throw error;
  }
}

/** The chunks of a regular file in order, `label`'s progress on `line`; the file is closed after. */
export async function* readSource(path: string, p: Pipeline, line: ProgressLine, label: string): AsyncGenerator<Buffer> {
  const { fh, stats } = await openSource(path, p.direct);
  try {
    const bar = new ByteProgress(line, label, stats.size);
    let done = 0;
    for await (const chunk of fh.readChunks({ chunkSize: p.chunk, depth: p.depth })) {
      yield chunk;
      bar.update(done += chunk.length);
    }
  } finally {
    line.clear();
    await fh.close();
  }
}
