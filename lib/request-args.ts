// The arguments of each AioContext operation, or one spec of submit(),
// checked and made into an AioRequest. Checking runs the caller's code
// (getters, a Proxy's traps): each value is read once, so what is checked
// is what is used.
import { invalidArgType, invalidArgValue } from './errors.js';
import { BatchRead, ReadBatch } from './read-batch.js';
import { AioRequest, type RequestOwner } from './request.js';
import {
  validateFd, validateOptions, validatePollEvents, validatePosition, validateView, validateViews,
  type NormalizedOptions,
} from './validate.js';
import type { AioOp } from './types.js';

function request(owner: RequestOwner, op: AioOp, fd: number, target: AioRequest['_target'],
  position: number | bigint, o: NormalizedOptions): AioRequest {
  return new AioRequest(owner, op, fd, target, position, o.rwFlags, o.priority, o.signal, o.tag);
}

/** read and write take one view (`buffer`), readv and writev an array of them (`buffers`). */
export function dataRequest(owner: RequestOwner, op: 'read' | 'write' | 'readv' | 'writev', fd: unknown,
  bufferOrBuffers: unknown, position: unknown, options: unknown): AioRequest {
  const validFd = validateFd(fd);
  const target = op === 'read' || op === 'write'
    ? validateView(bufferOrBuffers, 'buffer') : validateViews(bufferOrBuffers, 'buffers');
  const pos = validatePosition(position);
  return request(owner, op, validFd, target, pos, validateOptions(options, true));
}

export function syncRequest(owner: RequestOwner, op: 'fsync' | 'fdsync', fd: unknown, options: unknown): AioRequest {
  const validFd = validateFd(fd);
  return request(owner, op, validFd, null, 0, validateOptions(options, false));
}

export function pollRequest(owner: RequestOwner, fd: unknown, events: unknown, options: unknown): AioRequest {
  const validFd = validateFd(fd);
  const mask = validatePollEvents(events);
  return request(owner, 'poll', validFd, mask, 0, validateOptions(options, false));
}

/** submit()'s specs, each made into a request; nothing queued yet. */
export function specRequests(owner: RequestOwner, specs: unknown): AioRequest[] {
  if (!Array.isArray(specs)) throw invalidArgType('specs', 'an instance of Array', specs);
  // An index loop, not specs.map: the caller's array may carry its own map.
  const length = specs.length;
  const requests: AioRequest[] = [];
  for (let i = 0; i < length; i++) requests.push(specRequest(owner, specs[i], `specs[${i}]`));
  return requests;
}

/** `spec` of submit(), named `name` in errors ("specs[3]"). */
function specRequest(owner: RequestOwner, spec: unknown, name: string): AioRequest {
  if (spec === null || typeof spec !== 'object') throw invalidArgType(name, 'of type object', spec);
  const s = spec as Record<string, unknown>;
  // Read once: a getter must not pass the switch as one op and be made as another.
  const op = s.op;
  const fd = validateFd(s.fd);
  switch (op) {
    case 'read':
    case 'write':
      return request(owner, op, fd, validateView(s.buffer, `${name}.buffer`),
        validatePosition(s.position, `${name}.position`), validateOptions(s, true));
    case 'readv':
    case 'writev':
      return request(owner, op, fd, validateViews(s.buffers, `${name}.buffers`),
        validatePosition(s.position, `${name}.position`), validateOptions(s, true));
    case 'fsync':
    case 'fdsync':
      return request(owner, op, fd, null, 0, validateOptions(s, false));
    case 'poll':
      return request(owner, 'poll', fd, validatePollEvents(s.events), 0, validateOptions(s, false));
    default:
      throw invalidArgValue(`${name}.op`, op,
        "must be one of 'read', 'write', 'readv', 'writev', 'fsync', 'fdsync', 'poll'");
  }
}

/** readBatch's arguments: one read of buffers[i] at positions[i] each. */
export function readBatchOf(fd: unknown, buffers: unknown, positions: unknown, options: unknown): ReadBatch {
  const validFd = validateFd(fd);
  if (!Array.isArray(buffers)) throw invalidArgType('buffers', 'an instance of Array', buffers);
  if (!Array.isArray(positions) && !(ArrayBuffer.isView(positions) && !(positions instanceof DataView))) {
    throw invalidArgType('positions', 'an instance of Array or TypedArray', positions);
  }
  // Each length and element read once: a getter sees one read, and what is checked is what is used.
  const count = buffers.length;
  const positionCount = (positions as ArrayLike<unknown>).length;
  if (positionCount !== count) {
    throw invalidArgValue('positions', positions, `must hold one position per buffer (${count}), not ${positionCount}`);
  }
  const views: ArrayBufferView[] = [];
  const at: (number | bigint)[] = [];
  for (let i = 0; i < count; i++) {
    // The names are built only for an error: most batches have none.
    const view: unknown = buffers[i];
    views.push(ArrayBuffer.isView(view) ? view : validateView(view, `buffers[${i}]`));
    const position = (positions as ArrayLike<unknown>)[i];
    at.push(typeof position === 'number' && Number.isSafeInteger(position) && position >= 0
      ? position : validatePosition(position, `positions[${i}]`));
  }
  const o = validateOptions(options, true);
  const batch = new ReadBatch(count, o.signal);
  for (let i = 0; i < count; i++) {
    batch.reads.push(new BatchRead(batch, i, validFd, views[i], at[i], o.rwFlags, o.priority));
  }
  return batch;
}
