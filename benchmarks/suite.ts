// The benchmark suite behind `linux-aio bench` (and `npm run bench`, the
// same command): every workload, each against its comparison in the same
// run: interleaved runs, the median of each, the ratio and the target. Data files go in a new directory under `dir`,
// removed afterwards.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as batchReads from './batch-reads.js';
import * as cachedReads from './cached-reads.js';
import * as directReads from './direct-reads.js';
import * as latency from './latency.js';
import * as memory from './memory.js';
import * as readFile from './read-file.js';
import * as service from './service.js';
import * as stall from './stall.js';
import * as teardown from './teardown.js';
import { type Options, Progress, type ProgressSink, type Row } from './support.js';

const WORKLOADS = [cachedReads, batchReads, directReads, readFile, service, latency, memory, stall, teardown];

const TMPFS_MAGIC = 0x01021994;

/** The temp dir, unless it is tmpfs (no O_DIRECT there): then the work tree. */
export function defaultDir(): string {
  const tmp = tmpdir();
  return statfsSync(tmp).type === TMPFS_MAGIC ? fileURLToPath(new URL('../..', import.meta.url)) : tmp;
}

function format(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}

export function table(rows: Row[]): string {
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

export interface BenchResult { node: string; quick: boolean; seconds: number; rows: Row[] }

/** Runs every workload in a scratch directory under `o.dir`, with a progress line on `progress`. */
export async function runBenchmarks(o: Options, line: ProgressSink): Promise<BenchResult> {
  const dir = mkdtempSync(join(o.dir, 'linux-aio-bench-'));
  const progress = new Progress(WORKLOADS.reduce((n, w) => n + w.steps(o), 0), line);
  const started = Date.now();
  try {
    const rows: Row[] = [];
    for (const w of WORKLOADS) rows.push(...await w.run({ ...o, dir }, progress));
    return { node: process.version, quick: o.quick, seconds: (Date.now() - started) / 1000, rows };
  } finally {
    line.clear();
    rmSync(dir, { recursive: true, force: true });
  }
}
