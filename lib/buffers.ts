import { constants as bufferConstants } from 'node:buffer';
import { fileURLToPath } from 'node:url';

import { aioUnavailable, errnoError, invalidArgType, invalidArgValue } from './errors.js';
import { binding, bindingError } from './native.js';
import { validateFd, validateInteger } from './validate.js';

/**
 * A zero-filled Buffer whose first byte sits on an `alignment` boundary, as
 * O_DIRECT wants. Freed when the Buffer is garbage-collected.
 */
export function allocAligned(size: number, alignment = 4096): Buffer {
  validateInteger(size, 'size', 0, bufferConstants.MAX_LENGTH);
  validateInteger(alignment, 'alignment', 8, 2 ** 30);
  if ((alignment & (alignment - 1)) !== 0) throw invalidArgValue('alignment', alignment, 'must be a power of two');
  if (binding === null) throw aioUnavailable(bindingError!);
  const result = binding.allocAligned(size, alignment);
  if (typeof result === 'number') throw errnoError(result, 'posix_memalign');
  return result;
}

/** Whether `view`'s first byte is on an `alignment` boundary (a power of two up to 2^31). */
export function isAligned(view: ArrayBufferView, alignment: number): boolean {
  if (binding === null) throw aioUnavailable(bindingError!);
  return binding.addressOf(view) % alignment === 0;
}

export interface DioAlignment {
  /** Required alignment of the buffer address, in bytes. */
  memory: number;
  /** Required alignment of file offsets and lengths, in bytes. */
  offset: number;
}

/**
 * O_DIRECT alignment for a file (statx STATX_DIOALIGN, Linux >= 6.1), or
 * null where the filesystem gives none (no O_DIRECT, or an older kernel).
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
