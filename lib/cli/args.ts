// Command-line arguments: `--name value`, `--name=value`, boolean flags,
// `-h`/`--help`, `--` before operands that start with a dash.

/** A mistake in how the command was called: exit status 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a command accepts: each long option is a flag or takes a value. */
export type OptionSpec = Record<string, 'flag' | 'value'>;

export interface Parsed {
  options: Map<string, string | true>;
  operands: string[];
  help: boolean;
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): Parsed {
  const options = new Map<string, string | true>();
  const operands: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
      if (kind === undefined) throw new UsageError(`unrecognized option '--${name}'`);
      if (kind === 'flag') {
        if (eq !== -1) throw new UsageError(`option '--${name}' doesn't allow an argument`);
        options.set(name, true);
      } else if (eq !== -1) {
        options.set(name, arg.slice(eq + 1));
      } else if (i + 1 < argv.length) {
        options.set(name, argv[++i]);
      } else {
        throw new UsageError(`option '--${name}' requires an argument`);
      }
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`invalid option -- '${arg.slice(1)}'`);
    } else {
      operands.push(arg);
    }
  }
  return { options, operands, help };
}

/** An integer option in [min, max], or `fallback` when absent. */
export function integerOption(parsed: Parsed, name: string, fallback: number, min: number, max: number): number {
  const raw = parsed.options.get(name);
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`invalid --${name} '${raw}': a whole number from ${min} to ${max}`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/** A byte count: `65536`, `64K`, `1M`, `1MiB`, `1G` (powers of 1024). */
export function sizeOption(parsed: Parsed, name: string, fallback: number, min: number, max: number): number {
  const raw = parsed.options.get(name);
  if (raw === undefined) return fallback;
  const m = /^(\d+)([KMG]?)(?:i?B)?$/i.exec(String(raw));
  const n = m === null ? NaN : Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()];
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`invalid --${name} '${raw}': a size from ${formatBytes(min)} to ${formatBytes(max)}, like 64K or 1M`);
  }
  return n;
}

/** Bytes for people: `512 B`, `64.0 KiB`, `1.5 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let u = -1;
  do {
    n /= 1024;
    u++;
  } while (n >= 1024 && u < units.length - 1);
  return `${n.toFixed(1)} ${units[u]}`;
}
