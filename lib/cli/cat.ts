// linux-aio cat FILE...: files to standard output, read ahead through kernel AIO.
import { type Command, errorText, Output } from './command.js';
import { ProgressLine } from './progress.js';
import { PIPELINE_HELP, PIPELINE_OPTIONS, pipelineOptions, type Pipeline, readSource } from './transfer.js';

async function catFile(path: string, out: Output, p: Pipeline, line: ProgressLine): Promise<void> {
  for await (const chunk of readSource(path, p, line, path)) await out.write(chunk);
}

async function catStdin(out: Output): Promise<void> {
  for await (const chunk of process.stdin) await out.write(chunk as Buffer);
}

const isBrokenPipe = (error: unknown) => (error as { code?: unknown })?.code === 'EPIPE';

export const cat: Command = {
  name: 'cat',
  summary: 'write files to standard output, reading ahead through kernel AIO',
  options: PIPELINE_OPTIONS,
  help: `usage: linux-aio cat [options] [FILE...]

Writes each FILE to standard output, in order, with --depth reads of
--chunk bytes in flight (linux-aio/promises readChunks). With no FILE, or
where FILE is -, reads standard input. A file that cannot be read is
reported and skipped; the exit status is then 1. A progress bar goes to
standard error when it is a terminal and standard output is not.

options:
${PIPELINE_HELP}
  -h, --help    this text
`,
  async run(args) {
    const p = pipelineOptions(args);
    const out = new Output(process.stdout);
    const line = new ProgressLine(process.stderr, process.stdout.isTTY !== true);
    let status = 0;
    for (const path of args.operands.length === 0 ? ['-'] : args.operands) {
      try {
        await (path === '-' ? catStdin(out) : catFile(path, out, p, line));
      } catch (error) {
        // Whoever reads our output has gone (`| head`): stop quietly, as cat does.
        if (isBrokenPipe(error)) return status;
        process.stderr.write(`linux-aio: cat: ${errorText(error)}\n`);
        status = 1;
      }
    }
    return status;
  },
};
