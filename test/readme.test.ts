import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, runChild, runNode } from './support/helpers.js';

// The README's quick start must run as written.
describe('README', () => {
  it('the quick start runs as written and prints what its comments say', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Quick start');
    const block = /```js\n([\s\S]*?)```/.exec(readme.slice(start));
    expect(block, 'a js block under Quick start').to.not.equal(null);
    const r = await runNode(block![1], { timeoutMs: 10000, cwd: ROOT });
    expect(r.timedOut).to.equal(false);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.deep.equal([
      '18 null "hello, kernel AIO\\n"',
      'true 0',
      "[ 'read res=18', 'poll res=0' ]",
    ]);
  });

  it("shows what `linux-aio info` prints now, line for line (names and yes/no)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /```console\n\$ npx linux-aio info (\S+)\n[^\n]*\n([\s\S]*?)```/.exec(readme);
    expect(shown, 'an info example').to.not.equal(null);
    const r = await runChild(process.execPath, [join(ROOT, 'dist/lib/cli.js'), 'info', shown![1]]);
    expect(r.code, r.stderr).to.equal(0);
    const columns = (text: string) => text.trim().split('\n').map((l) => l.slice(0, 22).trimEnd());
    expect(columns(shown![2])).to.deep.equal(columns(r.stdout).slice(1));
  });

  it('shows the two set-up commands and the bench command', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).to.include('npm install');
    expect(readme).to.include('npm test');
    expect(readme).to.include('npm run bench');
  });

  it('"How the code is laid out" names every file of lib/ and addon/ that exists, and only those', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## How the code is laid out');
    expect(start, 'the section').to.not.equal(-1);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const named = new Set([...section.matchAll(/`((?:lib|addon)\/[\w.-]+\.(?:ts|cc|h))`/g)].map((m) => m[1]));
    const files = ['lib', 'addon'].flatMap((dir) => readdirSync(join(ROOT, dir))
      .filter((f) => /\.(ts|cc|h)$/.test(f)).map((f) => `${dir}/${f}`));
    expect(files.filter((f) => !named.has(f)), 'files the section does not name').to.deep.equal([]);
    expect([...named].filter((f) => !files.includes(f)), 'names of files that do not exist').to.deep.equal([]);
  });
});
