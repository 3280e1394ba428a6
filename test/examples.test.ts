// Every file of examples/ runs as a child Node, from the package root, so
// `import ... from 'linux-aio'` and 'linux-aio/promises' resolve through the
// package's own `exports` map to dist/lib. An example passes when it exits
// 0, in time, having printed something: one that throws, or rejects at top
// level, exits 1. A `console.log(...); // text` line also promises `text`:
// each such text must appear in the output, in order.
//
// The API reference shows them: each @example of lib/*.ts is one
// `{@includeCode ../examples/NAME.mjs}`, and each example is included once.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, runChild, runNode, type RunResult } from './support/helpers.js';

/**
 * One example per public function and method of the API reference.
 * Removing one fails the test; adding one should raise this.
 */
const MIN_EXAMPLES = 28;
/** Children running at once. */
const PARALLEL = 4;

const LIB = join(ROOT, 'lib');
const EXAMPLES = join(ROOT, 'examples');

interface Include {
  /** "context.ts:170" */
  where: string;
  /** The example's file name, as in examples/. */
  file: string;
  /** The line before the include is the comment's `@example`. */
  underExample: boolean;
}

/** Every `{@includeCode ../examples/...}` of lib/*.ts, and how many `@example` tags there are. */
function includes(): { found: Include[]; exampleTags: number; inlineCode: string[] } {
  const found: Include[] = [];
  const inlineCode: string[] = [];
  let exampleTags = 0;
  for (const file of readdirSync(LIB).filter((f) => f.endsWith('.ts')).sort()) {
    const lines = readFileSync(join(LIB, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*\*\s*@example\b/.test(line)) {
        exampleTags++;
        if (/```/.test(lines[i + 1] ?? '')) inlineCode.push(`${file}:${i + 1}`);
      }
      const m = /\{@includeCode \.\.\/examples\/([^}\s]+)\}/.exec(line);
      if (m !== null) {
        found.push({ where: `${file}:${i + 1}`, file: m[1], underExample: /^\s*\*\s*@example\s*$/.test(lines[i - 1]) });
      }
    });
  }
  return { found, exampleTags, inlineCode };
}

function run(source: string): Promise<RunResult> {
  return runNode(source, { cwd: ROOT, timeoutMs: 15000 });
}

function runFile(file: string): Promise<RunResult> {
  return runChild(process.execPath, [join(EXAMPLES, file)], { cwd: ROOT, timeoutMs: 15000 });
}

/** Runs `tasks`, `limit` at a time; each result as its own promise. */
function pooled<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T>[] {
  const results: Promise<T>[] = [];
  let running = 0;
  const waiting: (() => void)[] = [];
  for (const task of tasks) {
    results.push((async () => {
      if (running >= limit) await new Promise<void>((go) => waiting.push(go));
      running++;
      try {
        return await task();
      } finally {
        running--;
        waiting.shift()?.();
      }
    })());
  }
  return results;
}

/** The texts promised by `console.log(...); // text` lines, in order. */
function promisedOutput(source: string): string[] {
  const texts: string[] = [];
  for (const line of source.split('\n')) {
    const m = /console\.log\(.*\); \/\/ (.+)$/.exec(line);
    if (m !== null) texts.push(m[1].trim());
  }
  return texts;
}

const squeeze = (s: string) => s.replace(/\s+/g, ' ');

function expectPassed(result: RunResult, source: string): void {
  const output = `\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  expect(result.timedOut, `timed out${output}`).to.equal(false);
  expect(result.code, `exit code${output}`).to.equal(0);
  expect(result.stdout.trim(), `printed nothing${output}`).to.not.equal('');
  const stdout = squeeze(result.stdout);
  let from = 0;
  for (const text of promisedOutput(source)) {
    const at = stdout.indexOf(squeeze(text), from);
    expect(at, `the comment says it prints ${JSON.stringify(text)}${output}`).to.not.equal(-1);
    from = at + squeeze(text).length;
  }
}

describe('examples/', function () {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.mjs')).sort();
  // Started together, PARALLEL at a time, when mocha runs this suite's first test.
  let started: Promise<RunResult>[] | null = null;
  const resultOf = (i: number): Promise<RunResult> => {
    started ??= pooled(files.map((f) => () => runFile(f)), PARALLEL);
    return started[i];
  };

  it(`holds at least ${MIN_EXAMPLES} examples, each shown once by an @example of lib/`, function () {
    expect(files.length, files.join('\n')).to.be.at.least(MIN_EXAMPLES);
    const { found, exampleTags, inlineCode } = includes();
    expect(inlineCode, 'an @example holds code of its own instead of including a file').to.deep.equal([]);
    expect(found.filter((i) => !i.underExample).map((i) => i.where), 'includes outside an @example').to.deep.equal([]);
    expect(found.length, 'every @example includes one file').to.equal(exampleTags);
    expect(found.map((i) => i.file).sort(), 'each example file is included exactly once').to.deep.equal(files);
  });

  it('a failing example fails: the runner sees a top-level throw', async function () {
    const result = await run("console.log('before'); throw new Error('example failed');\n");
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('example failed');
    const rejected = await run("import { probe } from 'linux-aio'; console.log(probe().kernel); await Promise.reject(new Error('no'));\n");
    expect(rejected.code).to.not.equal(0);
  });

  files.forEach((file, i) => {
    it(file, async function () {
      expectPassed(await resultOf(i), readFileSync(join(EXAMPLES, file), 'utf8'));
    });
  });
});
