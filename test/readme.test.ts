import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, runChild, runNode } from './support/helpers.js';

/** The README's "How the code is laid out" section, up to the next heading. */
function layoutSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## How the code is laid out');
  expect(start, 'the section').to.not.equal(-1);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

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

  it('"How the code is laid out" names every file of lib/ and addon/ that exists, and only those, one per line', () => {
    const section = layoutSection();
    const files = ['lib', 'addon'].flatMap((dir) => readdirSync(join(ROOT, dir))
      .filter((f) => /\.(ts|cc|h)$/.test(f)).map((f) => `${dir}/${f}`));
    // The files a piece of text names: `lib/x.ts`, or a bare `x.ts` that is the name of one of them.
    const namesIn = (text: string) => new Set([...text.matchAll(/`((?:(?:lib|addon)\/)?[\w.-]+\.(?:ts|cc|h))`/g)]
      .map((m) => m[1].includes('/') ? m[1] : files.find((f) => f.endsWith(`/${m[1]}`)) ?? m[1])
      .filter((name) => name.includes('/')));
    const named = namesIn(section);
    expect(files.filter((f) => !named.has(f)), 'files the section does not name').to.deep.equal([]);
    expect([...named].filter((f) => !files.includes(f)), 'names of files that do not exist').to.deep.equal([]);

    // One line per file: a bullet names one file, or one addon header with its source (x.h and x.cc).
    const lines = section.split('\n');
    const bullets = lines.filter((l) => l.startsWith('- '));
    const unit = (f: string) => f.replace(/^(addon\/[\w-]+)\.(?:h|cc)$/, '$1');
    expect(bullets.filter((b) => new Set([...namesIn(b)].map(unit)).size > 1), 'bullets naming more than one file')
      .to.deep.equal([]);
    const timesNamed = (f: string) => bullets.filter((b) => namesIn(b).has(f)).length;
    expect(files.filter((f) => timesNamed(f) !== 1), 'files not named in exactly one bullet').to.deep.equal([]);
    expect(lines.filter((l) => !l.startsWith('- ') && namesIn(l).size > 0), 'lines outside the bullets naming files')
      .to.deep.equal([]);
  });

  it('"How the code is laid out" names every folder of the repository, or each of its files', function () {
    const section = layoutSection();
    // The repository's own files, not what a build, an install or an editor leaves beside them.
    let tracked: string[];
    try {
      tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    } catch {
      this.skip(); // not a git checkout
    }
    const inFolders = tracked.filter((f) => f.includes('/'));
    expect(inFolders.map((f) => f.split('/')[0])).to.include.members(['lib', 'addon', '.ci']);
    // A file is named by its path, or by a folder it is in (`dir/`).
    const named = (file: string) => section.includes(`\`${file}\``)
      || file.split('/').slice(0, -1).some((_, i, dirs) => section.includes(`\`${dirs.slice(0, i + 1).join('/')}/\``));
    expect(inFolders.filter((f) => !named(f)), 'files the section names neither by path nor by folder').to.deep.equal([]);
  });
});
