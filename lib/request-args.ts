// The arguments of each AioContext operation, or one spec of submit(),
// checked and made into an AioRequest. Checking runs the caller's code
// (getters, a Proxy's traps): each value is read once, so what is checked
// is what is used.
import { invalidArgType, invalidArgValue } from './errors.js';
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

/** `spec` of submit(), named `name` in errors ("specs[3]"). */
export function specRequest(owner: RequestOwner, spec: unknown, name: string): AioRequest {
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
