// npm run bench [-- --quick] [-- --json] [-- --dir DIR]
//
// Every workload of the performance issue, each against its comparison in
// the same run: interleaved runs, the median of each, the ratio and the
// target. Data files go in a new directory under the temp dir (or the work
// tree when the temp dir is tmpfs, which has no O_DIRECT; or --dir), removed
// afterwards.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as cachedReads from './cached-reads.js';
import * as directReads from './direct-reads.js';
import * as latency from './latency.js';
import * as memory from './memory.js';
import * as readFile from './read-file.js';
import * as stall from './stall.js';
import { type Options, Progress, type Row } from './support.js';

const WORKLOADS = [cachedReads, directReads, readFile, latency, memory, stall];

const TMPFS_MAGIC = 0x01021994;

/** The temp dir, unless it is tmpfs (no O_DIRECT there): then the work tree. */
function defaultDir(): string {
  const tmp = tmpdir();
  return statfsSync(tmp).type === TMPFS_MAGIC ? fileURLToPath(new URL('../..', import.meta.url)) : tmp;
}

function parseArgs(argv: string[]): Options {
  const o = { quick: false, json: false, dir: defaultDir() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--dir' && i + 1 < argv.length) o.dir = argv[++i];
    else {
      process.stderr.write(`linux-aio bench: unknown argument '${a}'\nusage: npm run bench -- [--quick] [--json] [--dir DIR]\n`);
      process.exit(2);
    }
  }
  return o;
}

function format(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}

function table(rows: Row[]): string {
  const lines = [
    '| workload | ours | comparison | ratio | target |',
    '|---|---|---|---:|---|',
  ];
  for (const r of rows) {
    const versus = r.versus.name === '' ? '' : `${r.versus.name}: ${format(r.versus.value)} ${r.unit}`;
    const ratio = Number.isNaN(r.ratio) ? '' : `${r.ratio.toFixed(2)}x`;
    const target = r.target === 'figure' ? '(a figure)' : `${r.target} ${r.met ? 'met' : 'NOT met'}`;
    lines.push(`| ${r.workload} | ${r.ours.name}: ${format(r.ours.value)} ${r.unit} | ${versus} | ${ratio} | ${target} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(o.dir, 'linux-aio-bench-'));
  const progress = new Progress(WORKLOADS.reduce((n, w) => n + w.steps(o), 0), o.json);
  const started = Date.now();
  try {
    const rows: Row[] = [];
    for (const w of WORKLOADS) rows.push(...await w.run({ ...o, dir }, progress));
    progress.end();
    const result = { node: process.version, quick: o.quick, seconds: (Date.now() - started) / 1000, rows };
    if (o.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(`linux-aio benchmarks (${o.quick ? 'quick' : 'full'}, node ${process.version}, ${result.seconds.toFixed(0)} s): medians of interleaved runs\n`);
    console.log(table(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
