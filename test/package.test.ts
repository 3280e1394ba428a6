import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './support/helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const REPO = 'https://github.com/linux-aio/linux-aio';

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

describe('the package as npm publishes it', () => {
  let packed: string[];
  before(function () {
    this.timeout(60_000);
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    packed = (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
  });

  it('engines names exactly the supported majors (config.nodeMajors), and this Node is one', () => {
    const majors = (pkg.config.nodeMajors as string).split(' ');
    expect(pkg.engines.node).to.equal(majors.map((m) => `^${m}.0.0`).join(' || '));
    expect(majors).to.include(process.versions.node.split('.')[0]);
  });

  it('ships the library, its sources for the source maps, the install script, LICENSE and CHANGELOG, and no tests', () => {
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'binding.gyp', 'scripts/install.cjs',
      'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/promises.js', 'dist/lib/promises.d.ts', 'dist/lib/cli.js']) {
      expect(packed, file).to.include(file);
    }
    expect(packed.filter((f) => f.includes('test/'))).to.deep.equal([]);
    for (const map of packed.filter((f) => f.endsWith('.js.map'))) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(packed, `${map} -> ${source}`).to.include(join(map, '..', source));
    }
    expect(pkg.scripts.install).to.equal('node scripts/install.cjs');
    expect(packed).to.include(pkg.bin['linux-aio']);
  });

  it('every README link works on npm: absolute, into files this repository has, or to a heading', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const headings = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.length).to.be.greaterThan(5);
    for (const link of links) {
      if (link.startsWith('#')) {
        expect(headings, link).to.include(link.slice(1));
      } else if (link.startsWith(`${REPO}/blob/main/`)) {
        expect(existsSync(join(ROOT, link.slice(`${REPO}/blob/main/`.length))), link).to.equal(true);
      } else if (link.startsWith('https://raw.githubusercontent.com/linux-aio/linux-aio/main/')) {
        expect(existsSync(join(ROOT, link.slice('https://raw.githubusercontent.com/linux-aio/linux-aio/main/'.length))), link).to.equal(true);
      } else {
        expect(link, 'a link outside the repository').to.match(/^https:\/\//);
      }
    }
    expect(pkg.repository.url).to.equal(`git+${REPO}.git`);
    expect(pkg.homepage).to.equal(`${REPO}#readme`);
    expect(pkg.bugs.url).to.equal(`${REPO}/issues`);
  });
});
