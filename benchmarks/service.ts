// A real service: a node:http server (service-server.ts, its own process)
// answering each GET with a 4 KiB record read at a random offset of a large
// cached file, or with a small static file, driven by an HTTP load
// generator (load-generator.ts: wrk, else autocannon) in another process at
// fixed connections and duration. The same server runs with
// linux-aio/promises and with node:fs/promises (one import changed), with a
// blocking fs.readSync in the handler (the blocking ceiling), and reading
// nothing (the HTTP ceiling). On a 2-core machine the load generator takes
// one core, the server the other.
//
// Where neither is installed (an installed package's `linux-aio bench`
// without wrk), the rows say so instead of a figure.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type Load, type LoadGenerator, loadGenerator } from './load-generator.js';
import { BLOCK, type Options, type Progress, type Row, atLeast, fileBytes, makeFile, median, warm } from './support.js';

const CONNECTIONS = 32;
const SERVER = fileURLToPath(new URL('./service-server.js', import.meta.url));
const MODES = ['aio', 'node', 'readSync', 'none'] as const;
type Mode = typeof MODES[number];
const NAMES: Record<Mode, string> = {
  aio: 'linux-aio/promises', node: 'node:fs/promises', readSync: 'fs.readSync in the handler', none: 'reads nothing',
};

export const rounds = (o: Options) => (o.quick ? 1 : 3);
const SECONDS = (o: Options) => (o.quick ? 1 : 4);

// The record endpoint on every server; the static one on the two fs/promises ones.
const RUNS: [Mode, string][] = [
  ['aio', '/record'], ['node', '/record'], ['readSync', '/record'], ['none', '/record'],
  ['aio', '/static'], ['node', '/static'],
];
export const steps = (o: Options) => RUNS.length * rounds(o);

/** Starts the server in `mode`, runs the load on `path`, stops the server. */
async function measure(generator: LoadGenerator, mode: Mode, path: string, data: string, small: string,
  seconds: number): Promise<Load> {
  const server = spawn(process.execPath, [SERVER, mode, data, small], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once('data', (line: Buffer) => resolve(Number(line.toString().trim())));
      server.once('exit', (code) => reject(new Error(`the ${mode} server exited (${code})`)));
    });
    try {
      return await generator.run(`http://127.0.0.1:${port}${path}`, CONNECTIONS, seconds);
    } catch (error) {
      throw new Error(`${mode} ${path}: ${(error as Error).message}`);
    }
  } finally {
    server.kill('SIGTERM');
  }
}

export async function run(o: Options, progress: Progress): Promise<Row[]> {
  const generator = loadGenerator();
  const workload = `HTTP service, ${CONNECTIONS} connections (${generator?.name ?? 'no load generator'} in its own process, on one of the cores)`;
  if (generator === null) {
    for (let i = 0; i < steps(o); i++) progress.step('service (no load generator installed)');
    return [{
      workload, unit: 'requests/s', ratio: NaN, target: 'figure', met: true,
      ours: { name: 'not run: neither wrk nor autocannon is installed (npm install in the repository)', value: NaN },
      versus: { name: '', value: NaN },
    }];
  }
  const data = makeFile(o.dir, 'service', fileBytes(o));
  const small = join(o.dir, 'static');
  writeFileSync(small, Buffer.alloc(BLOCK, 0x5a));
  const loads = new Map<string, Load[]>();
  for (let round = 0; round < rounds(o); round++) {
    // Interleaved, in a different order each round.
    const order = round % 2 === 0 ? RUNS : [...RUNS].reverse();
    for (const [mode, path] of order) {
      const key = `${mode} ${path}`;
      warm(data); // untimed, as interleave's `before`: back in the page cache
      const load = await measure(generator, mode, path, data, small, SECONDS(o));
      loads.set(key, [...(loads.get(key) ?? []), load]);
      progress.step(`service ${key}`);
    }
  }
  const of = (mode: Mode, path: string, pick: (l: Load) => number) => median(loads.get(`${mode} ${path}`)!.map(pick));
  const rps = (mode: Mode, path = '/record') => of(mode, path, (l) => l.requests);
  const p99 = (mode: Mode) => of(mode, '/record', (l) => l.p99);
  const mean = (mode: Mode) => of(mode, '/record', (l) => l.mean);
  const ratioRow = (name: string, ours: number, versusName: string, versus: number, unit: string,
    ratio: number, target: number | 'figure'): Row => ({
    workload: `${workload}: ${name}`, unit, ratio, ...atLeast(ratio, target),
    ours: { name: NAMES.aio, value: ours }, versus: { name: versusName, value: versus },
  });
  const rows: Row[] = [
    ratioRow('GET a 4 KiB record', rps('aio'), NAMES.node, rps('node'), 'requests/s', rps('aio') / rps('node'), 1.5),
    ratioRow('GET a 4 KiB record', rps('aio'), NAMES.readSync, rps('readSync'), 'requests/s', rps('aio') / rps('readSync'), 1.0),
    // Lower is better: the ratio is theirs over ours.
    ratioRow('GET a 4 KiB record, p99 latency', p99('aio'), NAMES.readSync, p99('readSync'), 'ms', p99('readSync') / p99('aio'), 1.0),
    ratioRow('GET a 4 KiB record, p99 latency', p99('aio'), NAMES.node, p99('node'), 'ms', p99('node') / p99('aio'), 'figure'),
    ratioRow('GET a 4 KiB record, mean latency', mean('aio'), NAMES.node, mean('node'), 'ms', mean('node') / mean('aio'), 'figure'),
    ratioRow('GET a 4 KiB record, mean latency', mean('aio'), NAMES.readSync, mean('readSync'), 'ms', mean('readSync') / mean('aio'), 'figure'),
    ratioRow('GET a 4 KiB static file', rps('aio', '/static'), NAMES.node, rps('node', '/static'), 'requests/s',
      rps('aio', '/static') / rps('node', '/static'), 'figure'),
    {
      workload: `${workload}: GET a 4 KiB record`, unit: 'requests/s', ratio: NaN, target: 'figure', met: true,
      ours: { name: `the HTTP ceiling (${NAMES.none})`, value: rps('none') }, versus: { name: '', value: NaN },
    },
  ];
  return rows;
}
