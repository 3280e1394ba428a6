import { IOPRIO_CLASS_IDLE } from './constants.js';
import { validateInteger } from './validate.js';

/** The kernel's IOPRIO_CLASS_SHIFT (linux/ioprio.h): the class sits above 13 bits of level. */
const IOPRIO_CLASS_SHIFT = 13;

/**
 * An I/O priority for {@link OpOptions.priority}: `ioClass` is one of
 * `IOPRIO_CLASS_*` from {@link constants}, `level` 0 (highest) to 7. The
 * real-time class needs CAP_SYS_ADMIN; without it the request settles with
 * `-EPERM`. Only I/O schedulers that honour priorities (BFQ, mq-deadline)
 * act on it.
 *
 * Use it to let background work, such as a scrub or a backup, yield to
 * requests that a user waits for.
 *
 * @param ioClass - `IOPRIO_CLASS_NONE`, `_RT`, `_BE` or `_IDLE` from {@link constants}.
 * @param level - 0 (served first) to 7 (served last) within the class.
 * @returns The value for {@link OpOptions.priority}.
 *
 * @example
 * {@includeCode ../examples/ioprio-background-write.mjs}
 */
export function ioprio(ioClass: number, level: number): number {
  validateInteger(ioClass, 'ioClass', 0, IOPRIO_CLASS_IDLE);
  validateInteger(level, 'level', 0, 7);
  return (ioClass << IOPRIO_CLASS_SHIFT) | level;
}
