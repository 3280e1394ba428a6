// What cat and cp share: the pipelining options and opening a source.
import { errnoError } from '../errors.js';
import { open, type AioFileHandle } from '../promises.js';
import { integerOption, type Parsed, sizeOption } from './args.js';
import { CliError } from './command.js';

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

/** Opens a regular file for reading, through linux-aio/promises. */
export async function openSource(path: string, direct: boolean): Promise<AioFileHandle> {
  const fh = await open(path, 'r', undefined, { direct });
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw errnoError(-21 /* EISDIR */, 'read', path);
    if (!st.isFile()) throw new CliError(`'${path}' is not a regular file`);
    return fh;
  } catch (error) {
    await fh.close();
    throw error;
  }
}
