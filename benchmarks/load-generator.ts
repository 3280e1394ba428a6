// The HTTP load generator of the service benchmark, in its own process:
// wrk where it is installed (Debian's package), else autocannon (a
// devDependency, so `npm install` is enough). wrk is preferred: it is C,
// and one thread of it drives these servers at 40k-50k requests/s, where
// autocannon, a single JavaScript thread, tops out at about 20k on the same
// core. With autocannon the ceiling the rows meet is the generator's, not
// the server's, and its percentiles have 1 ms resolution (wrk's, 10 µs).
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** What one run of the load measured: requests/s, and the mean and p99 latency in ms. */
export interface Load { requests: number; mean: number; p99: number }

export interface LoadGenerator {
  readonly name: 'wrk' | 'autocannon';
  /** `connections` kept busy on `url` for `seconds`. Throws if any answer was an error. */
  run(url: string, connections: number, seconds: number): Promise<Load>;
}

const run = promisify(execFile);

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, command);
    try {
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** wrk's durations ("617.00us", "4.43ms", "1.02s") in ms. */
export function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (m === null) throw new Error(`wrk printed an unknown duration: ${text}`);
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3 }[m[2] as 'us' | 'ms' | 's'];
}

/** The Load in wrk's `--latency` report; throws on errors or answers other than 2xx/3xx. */
export function parseWrk(out: string): Load {
  const field = (re: RegExp) => {
    const m = re.exec(out);
    if (m === null) throw new Error(`wrk's report lacks ${re}:\n${out}`);
    return m[1];
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if ((errors !== null && errors.slice(1).some((n) => n !== '0')) || non2xx !== null) {
    throw new Error(`wrk saw errors:\n${out}`);
  }
  return {
    requests: Number(field(/Requests\/sec:\s+([\d.]+)/)),
    mean: wrkMs(field(/^\s+Latency\s+(\S+)/m)),
    p99: wrkMs(field(/^\s+99%\s+(\S+)/m)),
  };
}

function wrk(file: string): LoadGenerator {
  return {
    name: 'wrk',
    async run(url, connections, seconds) {
      const { stdout } = await run(file, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
      return parseWrk(stdout);
    },
  };
}

function autocannon(script: string): LoadGenerator {
  return {
    name: 'autocannon',
    async run(url, connections, seconds) {
      const { stdout } = await run(process.execPath, [script, '-c', String(connections), '-d', String(seconds), '-j', url],
        { maxBuffer: 16 << 20 });
      const r = JSON.parse(stdout) as {
        requests: { average: number }; latency: { average: number; p99: number }; errors: number; non2xx: number;
      };
      if (r.errors > 0 || r.non2xx > 0) throw new Error(`autocannon: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
      return { requests: r.requests.average, mean: r.latency.average, p99: r.latency.p99 };
    },
  };
}

/** wrk if it is on the PATH, else autocannon if it is installed, else null. */
export function loadGenerator(): LoadGenerator | null {
  const wrkFile = onPath('wrk');
  if (wrkFile !== null) return wrk(wrkFile);
  try {
    return autocannon(createRequire(import.meta.url).resolve('autocannon/autocannon.js'));
  } catch {
    return null;
  }
}
