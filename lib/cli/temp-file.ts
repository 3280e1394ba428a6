// A file written beside its destination and renamed over it once whole:
// rename on one filesystem is atomic, so the destination is either what it
// was or the whole new file, whatever happens to the process.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { open, type AioFileHandle } from '../promises.js';

/** How the temporary file for `target` is named, XXXXXX standing for six random letters and digits. */
const tempPattern = (target: string): string => `.${basename(target)}.linux-aio-XXXXXX`;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Signals that end a copy by default: the file is removed before they do.
// SIGKILL cannot be caught, and leaves it behind.
const ENDING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function tempPath(target: string): string {
  const suffix = Array.from(randomBytes(6), (b) => LETTERS[b % LETTERS.length]).join('');
  return join(dirname(target), tempPattern(target).replace('XXXXXX', suffix));
}

export class TempFile {
  readonly path: string;
  readonly fh: AioFileHandle;
  #closed = false;
  readonly #onSignal: (signal: NodeJS.Signals) => void;

  /** Creates a new file beside `target` (O_EXCL: never one that exists), with `mode` less the umask. */
  static async create(target: string, mode: number, direct: boolean): Promise<TempFile> {
    for (let tries = 1; ; tries++) {
      const path = tempPath(target);
      try {
        return new TempFile(path, await open(path, 'wx', mode, { direct }));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries === 100) throw error;
      }
    }
  }

  private constructor(path: string, fh: AioFileHandle) {
    this.path = path;
    this.fh = fh;
    this.#onSignal = (signal) => {
      this.#unwatch();
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to leave behind.
      }
      // With no listener left, the signal's default action ends the process
      // as the signal would have, status and all.
      process.kill(process.pid, signal);
    };
    for (const signal of ENDING) process.on(signal, this.#onSignal);
  }

  #unwatch(): void {
    for (const signal of ENDING) process.off(signal, this.#onSignal);
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.fh.close();
  }

  /** Closes the file and renames it over `target`. */
  async commit(target: string): Promise<void> {
    await this.#close();
    await rename(this.path, target);
    this.#unwatch();
  }

  /** Closes the file and removes it. */
  async discard(): Promise<void> {
    await this.#close().catch(() => {});
    await unlink(this.path).catch(() => {});
    this.#unwatch();
  }
}
