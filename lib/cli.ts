#!/usr/bin/env node
// linux-aio: the command. `linux-aio --help` lists the subcommands; each has
// its own --help. Exit status: 0 done, 1 failed, 2 called wrongly.
import { readFileSync } from 'node:fs';

import { parseArgs, UsageError } from './cli/args.js';
import { bench } from './cli/bench.js';
import { cat } from './cli/cat.js';
import { type Command, errorText } from './cli/command.js';
import { cp } from './cli/cp.js';
import { info } from './cli/info.js';

const COMMANDS: readonly Command[] = [info, bench, cat, cp];

const OVERVIEW = `usage: linux-aio <command> [options] [operands]

Linux kernel asynchronous I/O for Node.js, from the command line.

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(7)}${c.summary}`).join('\n')}

'linux-aio <command> --help' describes a command; 'linux-aio --version' prints the version.
Exit status: 0 when done, 1 when something failed, 2 for a usage error.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** How a command's failure reads, and its exit status. */
function report(command: string, error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`linux-aio: ${command}: ${error.message}\nTry 'linux-aio ${command} --help' for more information.\n`);
    return 2;
  }
  process.stderr.write(`linux-aio: ${command}: ${errorText(error)}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(OVERVIEW);
    return 2;
  }
  if (name === '-h' || name === '--help' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(OVERVIEW);
    return 0;
  }
  if (name === '-V' || name === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const wanted = name === 'help' ? rest[0] : name;
  const command = COMMANDS.find((c) => c.name === wanted);
  if (command === undefined) {
    process.stderr.write(`linux-aio: '${wanted}' is not a linux-aio command. See 'linux-aio --help'.\n`);
    return 2;
  }
  if (name === 'help') {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    const args = parseArgs(rest, command.options);
    if (args.help) {
      process.stdout.write(command.help);
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    return report(command.name, error);
  }
}

// A reader that went away (`linux-aio info | head -1`) is no failure: what
// is left to print goes nowhere. cat notices through its own listener, and
// stops reading.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// No process.exit(): output drains and the loop ends by itself (a handle
// left open would show up as a hang, which is a bug to fix).
process.exitCode = await main(process.argv.slice(2));
