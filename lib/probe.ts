import { release } from 'node:os';

import { errnoError } from './errors.js';
import { binding, bindingError } from './native.js';

/** Whether one kernel AIO feature works here, and if not, why. */
export interface Feature {
  /** True if the feature works on this kernel and system. */
  supported: boolean;
  /** Why not, when `supported` is false. */
  reason: string | null;
}

/** What kernel AIO supports on this system, from {@link probe}. */
export interface ProbeResult {
  /** `os.release()` of the running kernel. */
  kernel: string;
  /** io_setup works: AioContext can be used. */
  aio: Feature;
  /** IOCB_CMD_POLL: `AioContext.poll()`. */
  poll: Feature;
  /** IOCB_CMD_FSYNC / FDSYNC: `fsync()` and `fdsync()`. */
  fsync: Feature;
  /** RWF_NOWAIT on reads. */
  nowait: Feature;
}

const yes: Feature = Object.freeze({ supported: true, reason: null });
const no = (reason: string): Feature => Object.freeze({ supported: false, reason });

function explain(res: number | undefined, syscall: string, tooOld: string): Feature {
  if (res === undefined) return no('not tried: kernel AIO is unavailable');
  if (res >= 0) return yes;
  const err = errnoError(res, syscall);
  return res === -22 /* EINVAL */ || res === -95 /* EOPNOTSUPP */
    ? no(`${tooOld} (${err.code})`)
    : no(err.message);
}

let cached: ProbeResult | undefined;

/**
 * What this kernel's AIO supports, and why not, found by trying each
 * operation once on throwaway descriptors. The result is cached. It does not
 * throw for a missing addon or kernel support: every feature then says
 * why.
 *
 * Use it at startup to choose a code path, or to explain in a log why
 * kernel AIO is off. The first call creates and destroys kernel contexts,
 * which can take tens of milliseconds.
 *
 * @example
 * {@includeCode ../examples/probe-features.mjs}
 */
export function probe(): ProbeResult {
  if (cached !== undefined) return cached;
  const kernel = release();
  if (binding === null) {
    const reason = no(bindingError!.message);
    return (cached = { kernel, aio: reason, poll: reason, fsync: reason, nowait: reason });
  }
  const raw = binding.probe();
  let aio = yes;
  if (raw.setup < 0) {
    const err = errnoError(raw.setup, 'io_setup');
    aio = no(raw.setup === -38 ? 'io_setup: ENOSYS, the kernel lacks CONFIG_AIO'
      : raw.setup === -11 ? 'io_setup: EAGAIN, fs.aio-max-nr is exhausted (sysctl fs.aio-max-nr)'
        : err.message);
  }
  return (cached = Object.freeze({
    kernel,
    aio,
    poll: explain(raw.poll, 'io_submit', 'IOCB_CMD_POLL needs Linux >= 4.19'),
    fsync: explain(raw.fsync, 'io_submit', 'IOCB_CMD_FSYNC needs Linux >= 4.18'),
    nowait: explain(raw.nowait, 'io_submit', 'RWF_NOWAIT needs Linux >= 4.14 and file support'),
  }));
}
