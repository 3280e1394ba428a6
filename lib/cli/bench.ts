// linux-aio bench: the benchmark suite (also `npm run bench`).
import { accessSync, constants as fsConstants, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { UsageError } from './args.js';
import type { Command } from './command.js';
import { ProgressLine } from './progress.js';

export const bench: Command = {
  name: 'bench',
  summary: 'the benchmark suite: kernel AIO against fs.promises, readSync and C',
  options: { quick: 'flag', json: 'flag', dir: 'value', svg: 'value' },
  help: `usage: linux-aio bench [--quick] [--json] [--dir DIR] [--svg FILE]

Runs every workload of the benchmark suite, each against its comparison in
the same run (fs.promises, fs.readSync, a C program using kernel AIO, or
node's readFile): interleaved runs, the median of each, the ratio and its
target. A full run takes 3 to 5 minutes; --quick about 30 seconds. The
C comparison is built with the system compiler (cc, or $CC). A progress bar
goes to standard error when it is a terminal.

options:
  --quick       shorter runs and smaller files
  --json        the results as JSON instead of a table
  --dir DIR     where the data files go (default: the temp dir unless it is
                tmpfs, which has no O_DIRECT); removed afterwards
  --svg FILE    also write a bar chart of the ratios as SVG
  -h, --help    this text
`,
  async run(args) {
    if (args.operands.length > 0) throw new UsageError(`extra operand '${args.operands[0]}'`);
    // Loaded here: the suite and its workloads are only needed by this command.
    const { defaultDir, runBenchmarks, table } = await import('../../benchmarks/suite.js');
    const { ratioChart } = await import('./chart.js');
    const dir = args.options.get('dir');
    const json = args.options.has('json');
    const svg = args.options.get('svg');
    // Before minutes of measuring, not after.
    if (typeof svg === 'string') accessSync(dirname(svg), fsConstants.W_OK);
    const result = await runBenchmarks({ quick: args.options.has('quick'), dir: typeof dir === 'string' ? dir : defaultDir() },
      new ProgressLine(process.stderr, !json));
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write(`linux-aio benchmarks (${result.quick ? 'quick' : 'full'}, node ${result.node}, ${result.seconds.toFixed(0)} s): medians of interleaved runs\n\n${table(result.rows)}\n`);
    }
    if (typeof svg === 'string') {
      writeFileSync(svg, ratioChart(result));
      process.stderr.write(`linux-aio: bench: wrote the chart to ${svg}\n`);
    }
    return 0;
  },
};
