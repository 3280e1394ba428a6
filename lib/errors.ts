// Every error this library creates is built here, in Node's own shapes.
import { getSystemErrorMap, inspect } from 'node:util';

let systemErrors: Map<number, [string, string]> | undefined;

function describeErrno(errno: number): [code: string, description: string] {
  systemErrors ??= getSystemErrorMap();
  return systemErrors.get(errno) ?? [`Unknown system error ${errno}`, `unknown error ${errno}`];
}

/**
 * Node's errno exception, as `Completion.error` and thrown errors carry it:
 * `ENOENT: no such file or directory, open '/x'`. Same shape as the errors
 * of node:fs, so code that checks `err.code` works unchanged.
 */
export interface ErrnoError extends Error {
  /** The negative errno value, such as -2 for ENOENT (as node:fs gives it). */
  errno: number;
  /** The errno name, such as `'ENOENT'` or `'EAGAIN'`. */
  code: string;
  /** The system call that failed, such as `'read'`, `'fsync'` or `'io_submit'`. */
  syscall: string;
  /** The path involved, when there is one. */
  path?: string;
}

/**
 * Builds the error for a raw negative errno from the kernel, exactly as
 * node:fs would: `code`, negative `errno`, `syscall`, and `path` when known.
 */
export function errnoError(errno: number, syscall: string, path?: string): ErrnoError {
  const [code, description] = describeErrno(errno);
  let message = `${code}: ${description}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  const err = new Error(message) as ErrnoError;
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  Error.captureStackTrace(err, errnoError);
  return err;
}

type ErrorConstructorLike = new (message: string) => Error;

function codedError<E extends ErrorConstructorLike>(Base: E, code: string, message: string): Error & { code: string } {
  const err = new Base(message) as Error & { code: string };
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  // Node shows the code in the stack header: `TypeError [ERR_X]: ...`.
  err.stack = err.stack?.replace(/^(\w+)/, `$1 [${code}]`);
  return err;
}

// Node's `Received ...` suffix, as lib/internal/errors.js writes it.
function received(value: unknown): string {
  if (value == null) return `Received ${value}`;
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? `Received an instance of ${name}` : `Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}

function subject(name: string): string {
  return name.includes('.') ? `"${name}" property` : `"${name}" argument`;
}

export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The ${subject(name)} must be ${expected}. ${received(value)}`) as TypeError;
}

export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): TypeError {
  const kind = name.includes('.') ? 'property' : 'argument';
  return codedError(TypeError, 'ERR_INVALID_ARG_VALUE',
    `The ${kind} '${name}' ${reason}. Received ${inspect(value)}`) as TypeError;
}

function formatNumber(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 32) {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  }
  return inspect(value);
}

export function outOfRange(name: string, range: string, value: unknown): RangeError {
  return codedError(RangeError, 'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${formatNumber(value)}`) as RangeError;
}

export function aioClosed(): Error {
  return codedError(Error, 'ERR_AIO_CLOSED', 'This AioContext is closed');
}

/**
 * Why setting up a context failed, and the fix. `call` is what failed:
 * io_setup, eventfd (the completion signal), or libuv's uv_poll_init or
 * uv_poll_start (which watch the eventfd through epoll).
 */
function setupFailure(call: string, code: string, description: string, maxEvents?: number): string {
  const failed = `${call === 'io_setup' ? `io_setup(${maxEvents})` : call} failed with ${code}`;
  switch (code) {
    case 'EMFILE':
      return `${failed}: this process has as many open files as its limit allows. ` +
        'Close files it no longer needs, or raise the limit (`ulimit -n`, LimitNOFILE= for a systemd service)';
    case 'ENFILE':
      return `${failed}: the system-wide limit of open files is reached. ` +
        'Close files, or raise it with `sysctl -w fs.file-max=...`';
    case 'ENOMEM':
      return call === 'io_setup'
        ? `${failed}: the kernel could not allocate the ring of ${maxEvents} events ` +
          '(memory, or vm.max_map_count mappings). Free memory, or ask for fewer maxEvents'
        : `${failed}: the kernel is out of memory. Free memory`;
  }
  if (call === 'io_setup' && code === 'EAGAIN') {
    return `${failed}: the system-wide limit of in-flight AIO events (fs.aio-max-nr) is exhausted ` +
      'or smaller than maxEvents. Raise it with `sysctl -w fs.aio-max-nr=1048576`, ' +
      'close unused AioContexts, or ask for fewer maxEvents';
  }
  if (call === 'io_setup' && code === 'ENOSYS') {
    return `${failed}: this kernel was built without CONFIG_AIO ` +
      '(or a seccomp filter forbids it). Use a kernel with CONFIG_AIO=y and allow io_setup, ' +
      'or use linux-aio/promises, which falls back to node:fs';
  }
  if (call.startsWith('uv_poll') && code === 'ENOSPC') {
    return `${failed}: the per-user limit of epoll watches is reached. ` +
      'Raise it with `sysctl -w fs.epoll.max_user_watches=...`';
  }
  if (call === 'io_setup') {
    return `${failed}: ${description}. Check \`sysctl fs.aio-max-nr\` and fs.aio-nr`;
  }
  return `${failed}: ${description}`;
}

/**
 * Setting up a context failed (or the addon is missing): say which call
 * failed, why, and how to fix it. `cause` is the errno as a Node errno error
 * whose `syscall` is the call that failed, or the load error.
 */
export function aioUnavailable(cause: Error, maxEvents?: number): Error & { code: string } {
  const { errno, syscall } = cause as Partial<ErrnoError>;
  const why = errno !== undefined && syscall !== undefined
    ? setupFailure(syscall, ...describeErrno(errno), maxEvents)
    : `the native addon could not be loaded (${cause.message}). ` + (process.platform === 'linux'
      ? 'To build it for this Node, install g++, make and Python 3, then run `npm rebuild linux-aio` (npm 11 may first need `npm install-scripts approve linux-aio`)'
      : 'Kernel AIO needs Linux; linux-aio/promises runs on node:fs here');
  const err = codedError(Error, 'ERR_AIO_UNAVAILABLE', `Kernel AIO is unavailable: ${why}`);
  Object.defineProperty(err, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return err;
}
