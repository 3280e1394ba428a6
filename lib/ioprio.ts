import { IOPRIO_CLASS_IDLE } from './constants.js';
import { validateInteger } from './validate.js';

const IOPRIO_CLASS_SHIFT = 13;

/**
 * An I/O priority for `OpOptions.priority`: `class` is one of
 * `IOPRIO_CLASS_*`, `level` 0 (highest) to 7. The real-time class needs
 * CAP_SYS_ADMIN; without it the request settles with `-EPERM`.
 */
export function ioprio(ioClass: number, level: number): number {
  validateInteger(ioClass, 'class', 0, IOPRIO_CLASS_IDLE);
  validateInteger(level, 'level', 0, 7);
  return (ioClass << IOPRIO_CLASS_SHIFT) | level;
}
