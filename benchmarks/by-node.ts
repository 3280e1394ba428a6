// The ratios of several `linux-aio bench --json` runs side by side, one
// column per run (scripts/bench-nodes.sh runs one per supported Node):
//
//   node dist/benchmarks/by-node.js node-20.json node-22.json ...
import { readFileSync } from 'node:fs';

import type { BenchResult } from './suite.js';
import type { Row } from './support.js';

function cell(row: Row | undefined): string {
  if (row === undefined) return '';
  return row.target === 'figure' || row.met ? value(row) : `${value(row)} (not met)`;
}

function value(row: Row): string {
  // JSON has no NaN: a row without a ratio (a figure) comes back as null.
  if (row.ratio === null || Number.isNaN(row.ratio)) return `${row.ours.value.toFixed(2)} ${row.unit}`;
  return `${row.ratio.toFixed(2)}x`;
}

/** A Markdown table: one line per row of the first run, one column per run. */
export function byNode(runs: BenchResult[]): string {
  const key = (r: Row) => `${r.workload} | ${r.ours.name} | ${r.versus.name}`;
  const lines = [
    `| workload | ours | comparison | ${runs.map((r) => `Node ${r.node.slice(1)}`).join(' | ')} | target |`,
    `|---|---|---|${runs.map(() => '---:').join('|')}|---|`,
  ];
  for (const row of runs[0]!.rows) {
    const cells = runs.map((run) => cell(run.rows.find((r) => key(r) === key(row))));
    lines.push(`| ${row.workload} | ${row.ours.name} | ${row.versus.name} | ${cells.join(' | ')} | ${row.target} |`);
  }
  return lines.join('\n');
}

const files = process.argv.slice(2);
if (files.length > 0) {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchResult);
  process.stdout.write(`${byNode(runs)}\n`);
}
