// Loads the addon (a local build or a prebuild; see addon-file.ts). A
// missing addon is not fatal here: AioContext reports it as
// ERR_AIO_UNAVAILABLE and probe() explains it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { loadAddon } from './addon-file.js';
import type { NativeCounterName } from './types.js';

/** The calls that can fail while a context is set up. */
export type SetupCall = 'io_setup' | 'eventfd' | 'uv_poll_init' | 'uv_poll_start';

/** The memory a context shares with the addon, one array per field: see addon/shared_arrays.h. */
export interface SharedArrays {
  /** Per completion, written before onCompletions is called: its slot, res and res2. */
  doneSlot: Int32Array;
  doneRes: Float64Array;
  doneRes2: Float64Array;
  /** The addon's counters, named by NativeContext.counterNames. */
  counters: Float64Array;
  /** Per slot, written before submit: the iocb's fields. */
  opcode: Int32Array;
  fd: Int32Array;
  /** rw flags, or a poll's events. */
  flags: Int32Array;
  /** An ioprio, or -1 for none. */
  priority: Int32Array;
  /** The position as two unsigned 32-bit halves. */
  positionLow: Int32Array;
  positionHigh: Int32Array;
  /** The slots to submit, in order. */
  submitQueue: Int32Array;
  /** [0]: how many completions the last submit() reaped into the done arrays; zeroed by JavaScript. */
  submitReaped: Int32Array;
}

/** The native half of a context; see addon/context.h. All results are counts or -errno. */
export interface NativeContext {
  /**
   * `targets`: the slot-indexed buffers (a view, an array of views, or null)
   * that submit reads. Returns the memory shared with JavaScript, or the
   * negative errno and the call that failed.
   */
  setup(maxEvents: number, useRing: boolean, targets: unknown[], reapChunk: number): SharedArrays | [errno: number, call: SetupCall];
  /**
   * Prepares the slots named at [start, start + count) of the submit queue
   * from their shared parameters and targets, and io_submits them.
   */
  submit(start: number, count: number): number;
  release(slot: number): void;
  cancel(slot: number): number;
  /** Releases everything; true if `done` will be called once io_destroy (on a background thread) has returned. */
  close(done: () => void): boolean;
}

export interface Binding {
  NativeContext: {
    new (owner: object, onCompletions: (this: any, count: number) => void): NativeContext;
    /** The names of the counters in SharedArrays.counters, in order. */
    readonly counterNames: readonly NativeCounterName[];
  };
  allocAligned(size: number, alignment: number): ArrayBuffer | number;
  addressOf(view: ArrayBufferView): number;
  dioAlignment(fd: number, path: string): [number, number] | number;
  probe(): { setup: number; poll?: number; fsync?: number; nowait?: number };
  statusFlags(fd: number): number;
  fileMode(fd: number): number;
  seek(fd: number, offset: number, whence: number): number;
  constants: Record<string, number>;
  /** The Node ABI (NODE_MODULE_VERSION) the addon was built for. */
  abi: number;
}

function load(): { binding: Binding | null; error: Error | null } {
  if (process.platform !== 'linux') {
    return { binding: null, error: new Error(`kernel AIO is Linux-only (this is ${process.platform})`) };
  }
  try {
    const require = createRequire(import.meta.url);
    // Another build of the addon (npm run test:asan loads a sanitized one).
    const override = process.env.LINUX_AIO_ADDON;
    if (override) return { binding: require(override) as Binding, error: null };
    // dist/lib/native.js -> the package root, where build/ and prebuilds/ are.
    return { binding: loadAddon<Binding>(fileURLToPath(new URL('../..', import.meta.url))), error: null };
  } catch (error) {
    return { binding: null, error: error as Error };
  }
}

export const { binding, error: bindingError } = load();
