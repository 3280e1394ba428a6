// What every subcommand of `linux-aio` is, and how its failures read.
import type { OptionSpec, Parsed } from './args.js';

export interface Command {
  name: string;
  /** One line for `linux-aio --help`. */
  summary: string;
  /** The whole of `linux-aio NAME --help`: usage first. */
  help: string;
  options: OptionSpec;
  /** Resolves to the exit status. */
  run(args: Parsed): Promise<number>;
}

/** A failure to report as `linux-aio: NAME: message`, exit status 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * What a failure says after `linux-aio: NAME: `. Errors of the system
 * (node's, with a code) and CliErrors say all in their message; anything
 * else is a bug, whose stack belongs in the report.
 */
export function errorText(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; stack?: unknown } | null;
  if (error instanceof CliError || typeof e?.code === 'string') return String(e!.message);
  return String(e?.stack ?? error);
}

/** Writes everything to a stream, waiting for it to drain; rejects once the stream has failed (EPIPE). */
export class Output {
  readonly #stream: NodeJS.WritableStream;
  #error: Error | null = null;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
    stream.on('error', (error: Error) => { this.#error ??= error; });
  }

  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.#error !== null) throw this.#error;
    if (!this.#stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#stream.off('drain', done);
          this.#stream.off('error', done);
          resolve();
        };
        this.#stream.on('drain', done);
        this.#stream.on('error', done);
      });
    }
    if (this.#error !== null) throw this.#error;
  }
}
