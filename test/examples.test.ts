// Every ```js block of an @example in the TSDoc comments of lib/*.ts runs as
// a child Node, from the package root, so `import ... from 'linux-aio'` and
// 'linux-aio/promises' resolve through the package's own `exports` map to
// dist/lib. An example passes when it exits 0, in time, having printed
// something: one that throws, or rejects at top level, exits 1. A
// `console.log(...); // text` line also promises `text`: each such text
// must appear in the output, in order.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, runNode, type RunResult } from './support/helpers.js';

/**
 * The examples in lib/: one per public function and method of the API
 * reference. Removing one fails the test; adding one should raise this.
 */
const MIN_EXAMPLES = 27;
/** Children running at once. */
const PARALLEL = 4;

interface Example {
  /** "context.ts AioContext.read" */
  name: string;
  source: string;
}

const LIB = join(ROOT, 'lib');

/** The name declared on the first code line after a doc comment, or null. */
function declaredName(line: string): string | null {
  const m = /^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:static\s+)?(?:readonly\s+)?(?:get\s+|set\s+)?(?:function\*?\s+|class\s+|interface\s+|type\s+|const\s+|let\s+|var\s+)?(#?[A-Za-z_$][\w$]*|\[Symbol\.\w+\])/.exec(line);
  return m === null ? null : m[1];
}

/** The examples of one source file, named after the symbol each documents. */
function examplesOf(file: string): { examples: Example[]; exampleTags: number } {
  const text = readFileSync(join(LIB, file), 'utf8');
  const lines = text.split('\n');
  const examples: Example[] = [];
  let exampleTags = 0;
  let container: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    // A top-level class or interface holds the indented declarations after it.
    const top = /^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface)\s+([A-Za-z_$][\w$]*)/.exec(lines[i]);
    if (top !== null) container = top[1];
    else if (/^\S/.test(lines[i]) && !/^[}/*]/.test(lines[i])) container = null;
    if (!/^\s*\/\*\*/.test(lines[i])) continue;
    // A doc comment: its lines up to the closing `*/`, without the leading ` * `.
    const start = i;
    const raw: string[] = [lines[i]];
    while (!lines[i].slice(i === start ? lines[i].indexOf('/**') + 3 : 0).includes('*/') && i + 1 < lines.length) {
      raw.push(lines[++i]);
    }
    const body = raw.map((line) => line.replace(/^\s*\/\*\*\s?/, '').replace(/\s*\*\/\s*$/, '').replace(/^\s*\* ?/, ''));
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    const name = next < lines.length ? declaredName(lines[next]) : null;
    const indented = next < lines.length && /^\s/.test(lines[next]);
    const symbol = name === null ? `line ${start + 1}`
      : indented && container !== null ? `${container}.${name}` : name;
    // The ```js fences of each @example section of the comment.
    let inExample = false;
    let code: string[] | null = null;
    let count = 0;
    for (const line of body) {
      if (code !== null) {
        if (line.trim() === '```') {
          count++;
          examples.push({ name: `${file} ${symbol}${count > 1 ? ` #${count}` : ''}`, source: code.join('\n') + '\n' });
          code = null;
        } else {
          code.push(line);
        }
        continue;
      }
      if (/^\s*@example\b/.test(line)) {
        inExample = true;
        exampleTags++;
      } else if (/^\s*@\w+/.test(line)) {
        inExample = false;
      } else if (inExample && /^\s*```js\s*$/.test(line)) {
        code = [];
      }
    }
    expect(code, `${file}:${start + 1}: unterminated code block in an @example`).to.equal(null);
  }
  return { examples, exampleTags };
}

function collect(): { examples: Example[]; exampleTags: number } {
  const all: Example[] = [];
  let tags = 0;
  for (const file of readdirSync(LIB).filter((f) => f.endsWith('.ts')).sort()) {
    const { examples, exampleTags } = examplesOf(file);
    all.push(...examples);
    tags += exampleTags;
  }
  return { examples: all, exampleTags: tags };
}

function run(source: string): Promise<RunResult> {
  return runNode(source, { cwd: ROOT, timeoutMs: 15000 });
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

describe('TSDoc @example blocks', function () {
  const { examples, exampleTags } = collect();
  // Started together, PARALLEL at a time, when mocha runs this suite's first test.
  let started: Promise<RunResult>[] | null = null;
  const resultOf = (i: number): Promise<RunResult> => {
    started ??= pooled(examples.map((e) => () => run(e.source)), PARALLEL);
    return started[i];
  };

  it(`finds at least ${MIN_EXAMPLES} examples, each a \`\`\`js block`, function () {
    expect(examples.length, examples.map((e) => e.name).join('\n')).to.be.at.least(MIN_EXAMPLES);
    expect(examples.length, 'every @example holds one ```js block').to.equal(exampleTags);
    const names = examples.map((e) => e.name);
    expect(new Set(names).size, 'example names are unique').to.equal(names.length);
  });

  it('a failing example fails: the runner sees a top-level throw', async function () {
    const result = await run("console.log('before'); throw new Error('example failed');\n");
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('example failed');
    const rejected = await run("import { probe } from 'linux-aio'; console.log(probe().kernel); await Promise.reject(new Error('no'));\n");
    expect(rejected.code).to.not.equal(0);
  });

  examples.forEach((example, i) => {
    it(example.name, async function () {
      expectPassed(await resultOf(i), example.source);
    });
  });
});
