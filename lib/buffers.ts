import { constants as bufferConstants } from 'node:buffer';
import { fileURLToPath } from 'node:url';

import { aioUnavailable, errnoError, invalidArgType, invalidArgValue } from './errors.js';
import { binding, bindingError } from './native.js';
import { validateFd, validateInteger } from './validate.js';

/**
 * A zero-filled Buffer of `size` bytes whose first byte sits on an
 * `alignment` boundary (a power of two, 8 to 2^30), as O_DIRECT wants.
 * Freed when the Buffer is garbage-collected. Needs the addon: without it,
 * throws `ERR_AIO_UNAVAILABLE`, as do {@link isAligned} and
 * {@link dioAlignment}.
 *
 * Use it for reads and writes of files opened with `O_DIRECT`, whose
 * buffers, offsets and lengths must be aligned (see {@link dioAlignment});
 * a misaligned request completes with `-EINVAL`. The default 4096 suits
 * most filesystems and disks.
 *
 * @param size - The length in bytes, 0 or more.
 * @param alignment - The alignment of the first byte: a power of two from 8 to 2^30. Default 4096.
 *
 * @example
 * {@includeCode ../examples/alloc-aligned.mjs}
 */
export function allocAligned(size: number, alignment = 4096): Buffer {
  validateInteger(size, 'size', 0, bufferConstants.MAX_LENGTH);
  validateInteger(alignment, 'alignment', 8, 2 ** 30);
  if ((alignment & (alignment - 1)) !== 0) throw invalidArgValue('alignment', alignment, 'must be a power of two');
  if (binding === null) throw aioUnavailable(bindingError!);
  const result = binding.allocAligned(size, alignment);
  if (typeof result === 'number') throw errnoError(result, 'posix_memalign');
  return Buffer.from(result);
}

/**
 * Whether `view`'s first byte is on an `alignment` boundary (a power of two
 * up to 2^31). Use it to check a buffer from elsewhere before an O_DIRECT
 * request.
 *
 * @param view - A Buffer, TypedArray or DataView.
 * @param alignment - A power of two, such as 512 or 4096.
 *
 * @example
 * {@includeCode ../examples/is-aligned.mjs}
 */
export function isAligned(view: ArrayBufferView, alignment: number): boolean {
  if (!ArrayBuffer.isView(view)) throw invalidArgType('view', 'an instance of ArrayBufferView', view);
  validateInteger(alignment, 'alignment', 1, 2 ** 31);
  if ((alignment & (alignment - 1)) !== 0) throw invalidArgValue('alignment', alignment, 'must be a power of two');
  if (binding === null) throw aioUnavailable(bindingError!);
  return binding.addressOf(view) % alignment === 0;
}

/** The alignment O_DIRECT needs for one file, from {@link dioAlignment}. */
export interface DioAlignment {
  /** Required alignment of the buffer address, in bytes. */
  memory: number;
  /** Required alignment of file offsets and lengths, in bytes. */
  offset: number;
}

/**
 * O_DIRECT alignment for a file, given by path or fd (statx
 * STATX_DIOALIGN, Linux >= 6.1), or null where the filesystem gives none
 * (no O_DIRECT, or an older kernel). A failing statx throws node's errno
 * error (`ENOENT` and so on).
 *
 * Use it to size buffers for {@link allocAligned} and to round offsets and
 * lengths. Where it answers null, 4096 is a safe guess.
 *
 * @param pathOrFd - A path (string, Buffer or `file:` URL) or an open file descriptor.
 * @returns The alignments, or null where the filesystem does not say.
 *
 * @example
 * {@includeCode ../examples/dio-alignment.mjs}
 */
export function dioAlignment(pathOrFd: string | Buffer | URL | number): DioAlignment | null {
  let fd = -1;
  let path: string;
  if (typeof pathOrFd === 'number') {
    fd = validateFd(pathOrFd);
    path = '';
  } else if (typeof pathOrFd === 'string') {
    path = pathOrFd;
  } else if (Buffer.isBuffer(pathOrFd)) {
    path = pathOrFd.toString();
  } else if (pathOrFd instanceof URL) {
    path = fileURLToPath(pathOrFd);
  } else {
    throw invalidArgType('pathOrFd', 'of type string or an instance of Buffer or URL, or a file descriptor', pathOrFd);
  }
  if (typeof pathOrFd !== 'number' && (path === '' || path.includes('\0'))) {
    throw invalidArgValue('pathOrFd', pathOrFd, 'must be a non-empty path without null bytes');
  }
  if (binding === null) throw aioUnavailable(bindingError!);
  const r = binding.dioAlignment(fd, path);
  if (typeof r === 'number') throw errnoError(r, 'statx', path === '' ? undefined : path);
  const [memory, offset] = r;
  return memory === 0 && offset === 0 ? null : { memory, offset };
}
