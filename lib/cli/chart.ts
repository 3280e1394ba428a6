// The bench results as an SVG bar chart: one bar per ratio on a log scale,
// growing from parity (1x), green where the target is met, orange where not,
// grey for figures without a target; a tick marks each target.
import type { BenchResult } from '../../benchmarks/suite.js';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const LABEL_W = 480;
const PLOT_W = 360;
const ROW_H = 40;
const TOP = 56;
const COLOURS = { met: '#2e7d32', missed: '#e65100', figure: '#9e9e9e' };

/** `>= 10x` → { op: '>=', value: 10 }; null for figures and non-ratio targets. */
function parseTarget(target: string): { op: '>=' | '<='; value: number } | null {
  const m = /^(>=|<=) ([\d.]+)x$/.exec(target);
  return m === null ? null : { op: m[1] as '>=' | '<=', value: Number(m[2]) };
}

export function ratioChart(result: BenchResult): string {
  const rows = result.rows.filter((r) => Number.isFinite(r.ratio) && r.ratio > 0);
  const values = rows.flatMap((r) => [r.ratio, parseTarget(r.target)?.value ?? r.ratio]);
  const lo = Math.floor(Math.log10(Math.min(0.1, ...values)));
  const hi = Math.ceil(Math.log10(Math.max(10, ...values)));
  const x = (v: number) => LABEL_W + (PLOT_W * (Math.log10(v) - lo)) / (hi - lo);
  const height = TOP + rows.length * ROW_H + 40;
  const width = LABEL_W + PLOT_W + 110;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">linux-aio bench: ratios against the comparison in the same run</text>`,
    `<text x="12" y="40" fill="#555">node ${escape(result.node)}, ${result.quick ? 'quick' : 'full'} run; log scale; bars grow from 1x; ticks mark targets</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const v = 10 ** e;
    const gx = x(v).toFixed(1);
    out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${height - 30}" stroke="${e === 0 ? '#333' : '#ddd'}"/>`,
      `<text x="${gx}" y="${height - 14}" text-anchor="middle" fill="#555">${v >= 1 ? v : v.toFixed(-e)}x</text>`);
  }
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const target = parseTarget(r.target);
    const colour = target === null ? COLOURS.figure : r.met ? COLOURS.met : COLOURS.missed;
    const [a, b] = [x(1), x(r.ratio)].sort((p, q) => p - q);
    const better = target?.op === '<=' ? 'lower is better' : target === null ? 'a figure' : 'higher is better';
    out.push(
      `<text x="12" y="${y + 14}">${escape(clip(r.workload, 72))}</text>`,
      `<text x="12" y="${y + 29}" fill="#666" font-size="11">${escape(clip(`${r.ours.name} vs ${r.versus.name} (${r.unit}; ${better})`, 80))}</text>`,
      `<rect x="${a.toFixed(1)}" y="${y + 6}" width="${Math.max(1, b - a).toFixed(1)}" height="22" fill="${colour}"/>`,
      `<text x="${(Math.max(a, b) + 6).toFixed(1)}" y="${y + 21}">${r.ratio.toFixed(2)}x</text>`,
    );
    if (target !== null) {
      const tx = x(target.value).toFixed(1);
      out.push(`<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 32}" stroke="#000" stroke-width="2"><title>target ${escape(r.target)}</title></line>`);
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
