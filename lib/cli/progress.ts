// A one-line progress bar on a terminal, redrawn in place; nothing at all
// when the stream is not a TTY (piped, redirected, CI), so logs stay clean.
import { formatBytes } from './args.js';

const REDRAW_MS = 100;

export class ProgressLine {
  readonly #stream: NodeJS.WriteStream | null;
  #last = 0;
  #drawn = false;

  /** Draws on `stream` only when it is a terminal and `enabled`. */
  constructor(stream: NodeJS.WriteStream, enabled = true) {
    this.#stream = enabled && stream.isTTY === true ? stream : null;
  }

  get active(): boolean {
    return this.#stream !== null;
  }

  /** The terminal's width, or 80 where it does not say. */
  #columns(stream: NodeJS.WriteStream): number {
    return stream.columns > 20 ? stream.columns : 80;
  }

  /** A bar filled to `fraction` (0..1) followed by `text`; at most every 100 ms unless `force`. */
  draw(fraction: number, text: string, force = false): void {
    const stream = this.#stream;
    if (stream === null) return;
    const now = Date.now();
    if (!force && now - this.#last < REDRAW_MS) return;
    this.#last = now;
    const columns = this.#columns(stream);
    const width = Math.min(30, Math.max(10, columns - 50));
    const filled = Math.round(width * Math.min(1, Math.max(0, fraction)));
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
    stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
    this.#drawn = true;
  }

  /** Clears the line, so what follows starts on a clean one. */
  clear(): void {
    if (this.#stream === null || !this.#drawn) return;
    this.#stream.write(`\r${' '.repeat(this.#columns(this.#stream) - 1)}\r`);
    this.#drawn = false;
  }
}

/** A byte-count bar: done of total, the rate so far and the time left. */
export class ByteProgress {
  readonly #line: ProgressLine;
  readonly #total: number;
  readonly #label: string;
  readonly #started = process.hrtime.bigint();

  constructor(line: ProgressLine, label: string, total: number) {
    this.#line = line;
    this.#label = label;
    this.#total = total;
  }

  update(done: number, force = false): void {
    if (!this.#line.active) return;
    const seconds = Number(process.hrtime.bigint() - this.#started) / 1e9;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 && this.#total > done ? (this.#total - done) / rate : 0;
    const pct = this.#total > 0 ? Math.floor((100 * done) / this.#total) : 100;
    this.#line.draw(this.#total > 0 ? done / this.#total : 1,
      `${this.#label} ${pct}% ${formatBytes(done)}/${formatBytes(this.#total)} ${formatBytes(rate)}/s ETA ${clock(left)}`, force);
  }
}

/** Seconds as m:ss (or h:mm:ss). */
export function clock(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
