// Argument checks for the public API. Each throws Node's coded error and
// returns the normalized value; nothing is queued when one throws.
import { ALL_POLL_EVENTS, ALL_RWF, IOV_MAX } from './constants.js';
import { invalidArgType, invalidArgValue, outOfRange } from './errors.js';

const INT32_MAX = 2 ** 31 - 1;
const POSITION_MAX = 2n ** 63n - 1n;

export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  return value;
}

const DEFAULT_MAX_EVENTS = 256;
// Beyond this the kernel answers EINVAL however high fs.aio-max-nr is.
const MAX_EVENTS_LIMIT = 2 ** 22;

/** The AioContext constructor's options: its maxEvents. */
export function validateContextOptions(options: unknown): number {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgType('options', 'of type object', options);
  }
  const maxEvents = (options as { maxEvents?: unknown } | undefined)?.maxEvents;
  return maxEvents === undefined ? DEFAULT_MAX_EVENTS : validateInteger(maxEvents, 'options.maxEvents', 1, MAX_EVENTS_LIMIT);
}

export function validateFd(fd: unknown): number {
  return validateInteger(fd, 'fd', 0, INT32_MAX);
}

/** A file offset: a non-negative integer number (safe) or bigint (< 2^63). */
export function validatePosition(position: unknown, name = 'position'): number | bigint {
  if (typeof position === 'bigint') {
    if (position < 0n || position > POSITION_MAX) {
      throw outOfRange(name, `>= 0n && <= ${POSITION_MAX}n`, position);
    }
    return position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : position;
  }
  if (typeof position !== 'number') throw invalidArgType(name, 'of type number or bigint', position);
  if (!Number.isInteger(position)) throw outOfRange(name, 'an integer', position);
  if (position < 0 || position > Number.MAX_SAFE_INTEGER) {
    throw outOfRange(name, `>= 0 && <= ${Number.MAX_SAFE_INTEGER}`, position);
  }
  return position;
}

export function validateView(value: unknown, name: string): ArrayBufferView {
  if (!ArrayBuffer.isView(value)) {
    throw invalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', value);
  }
  return value;
}

export function validateViews(value: unknown, name: string): ArrayBufferView[] {
  if (!Array.isArray(value)) throw invalidArgType(name, 'an instance of Array', value);
  // Read once: an element's getter could grow the array past the checks.
  const length = value.length;
  if (length === 0) throw invalidArgValue(name, value, 'must contain at least one buffer');
  if (length > IOV_MAX) throw outOfRange(`${name}.length`, `<= ${IOV_MAX}`, length);
  const views = new Array<ArrayBufferView>(length);
  for (let i = 0; i < length; i++) views[i] = validateView(value[i], `${name}[${i}]`);
  return views;
}

export function validatePollEvents(events: unknown): number {
  validateInteger(events, 'events', 1, 0xffff);
  if (((events as number) & ~ALL_POLL_EVENTS) !== 0) {
    throw invalidArgValue('events', events, 'must be a mask of POLL* constants');
  }
  return events as number;
}

export interface NormalizedOptions {
  signal: AbortSignal | undefined;
  rwFlags: number;
  priority: number; // -1: none
  tag: unknown;
}

const NO_OPTIONS: NormalizedOptions = Object.freeze({ signal: undefined, rwFlags: 0, priority: -1, tag: undefined });

// AbortSignal's own getter, not whatever `signal.aborted` resolves to: it
// throws for an object that only inherits from AbortSignal.prototype, and
// runs none of the caller's code (an own `aborted` getter could close the
// context between its last check and the queueing of the request).
const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

/** Whether a real AbortSignal is aborted, without running any of the caller's code. */
export function isAborted(signal: AbortSignal): boolean {
  return abortedGetter.call(signal) as boolean;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (!(value instanceof AbortSignal)) return false;
  try {
    isAborted(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates OpOptions. `rwFlags` only applies to reads and writes: the kernel
 * refuses it on fsync and poll, so passing it there is an argument error.
 * Each property is read once, so a getter cannot hand validation one value
 * and the request another.
 */
export function validateOptions(options: unknown, allowRwFlags: boolean): NormalizedOptions {
  if (options === undefined || options === null) return NO_OPTIONS;
  if (typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
  const { signal, rwFlags: flags, priority: prio, tag } =
    options as { signal?: unknown; rwFlags?: unknown; priority?: unknown; tag?: unknown };
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
  }
  let rwFlags = 0;
  if (flags !== undefined && flags !== 0) {
    if (!allowRwFlags) throw invalidArgValue('options.rwFlags', flags, 'only applies to reads and writes');
    rwFlags = validateInteger(flags, 'options.rwFlags', 0, INT32_MAX);
    if ((rwFlags & ~ALL_RWF) !== 0) {
      throw invalidArgValue('options.rwFlags', flags, 'has bits that are not RWF_* flags');
    }
  }
  const priority = prio === undefined ? -1 : validateInteger(prio, 'options.priority', 0, 0xffff);
  return { signal, rwFlags, priority, tag };
}
