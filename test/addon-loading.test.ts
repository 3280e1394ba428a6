import { expect } from 'chai';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';

import { ROOT, runChild, runNode, scratchDir } from './support/helpers.js';

const ABI = process.versions.modules;

/**
 * A package root holding dist/lib and whichever addon files `files` names
 * (relative path -> source file), as an install would lay it out.
 */
function packageRoot(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'dist/lib'), join(dir, 'dist/lib'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'linux-aio', type: 'module' }));
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(join(dir, to, '..'), { recursive: true });
    cpSync(from, join(dir, to));
  }
  return dir;
}

/** What a program using the package at `root` sees: the addon's ABI, AioContext, and the drop-in. */
async function whatLoads(root: string, env: NodeJS.ProcessEnv = {}) {
  const r = await runNode(`
    import { AioContext } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};
    import * as fs from ${JSON.stringify(join(root, 'dist/lib/promises.js'))};
    const out = {};
    try {
      const ctx = new AioContext();
      const fh = await fs.open(${JSON.stringify(join(root, 'package.json'))});
      out.read = (await ctx.read(fh.fd, Buffer.alloc(8), 0)).res;
      await fh.close();
      await ctx.close();
    } catch (e) {
      out.code = e.code;
      out.message = e.message;
    }
    out.backend = fs.backend;
    out.reason = fs.stats().reason;
    out.text = (await fs.readFile(${JSON.stringify(join(root, 'package.json'))}, 'utf8')).slice(0, 8);
    console.log(JSON.stringify(out));
  `, { env: { ...process.env, LINUX_AIO_ADDON: '', LINUX_AIO_BACKEND: '', ...env } });
  expect(r.code, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as { read?: number; code?: string; message?: string; backend: string; reason: string | null; text: string };
}

describe('loading the addon: the right binary for this Node, or node:fs and a clear error', () => {
  const scratch = scratchDir();
  const built = join(ROOT, 'build/Release/linux_aio.node');
  const prebuildName = `prebuilds/linux-${arch()}/node.abi${ABI}.glibc.node`;
  let otherAbi: string;

  before(async function () {
    this.timeout(180_000);
    // An addon built for an ABI no Node has (1): what a local build left
    // behind by an older Node looks like to a newer one.
    const dir = join(scratch.dir, 'other-abi');
    mkdirSync(dir);
    cpSync(join(ROOT, 'binding.gyp'), join(dir, 'binding.gyp'));
    cpSync(join(ROOT, 'addon'), join(dir, 'addon'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const r = await runChild(process.execPath, [join(ROOT, 'node_modules/node-gyp/bin/node-gyp.js'), 'rebuild'], {
      cwd: dir, timeoutMs: 170_000, env: { ...process.env, CXXFLAGS: '-DNODE_EMBEDDER_MODULE_VERSION=1' },
    });
    expect(r.code, r.stderr).to.equal(0);
    otherAbi = join(dir, 'build/Release/linux_aio.node');
  });
  after(() => scratch.cleanup());

  it('an addon of another ABI refuses to start, before anything touches V8', async () => {
    const r = await runNode(`
      import { createRequire } from 'node:module';
      try { createRequire(import.meta.url)(${JSON.stringify(otherAbi)}); console.log('loaded'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, abi: e.abi, message: e.message })); }
    `);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      code: 'ERR_AIO_ABI_MISMATCH', abi: 1,
      message: `linux-aio: this addon was built for Node ${process.versions.node.split('.')[0]} (ABI 1) and cannot run on this Node`,
    });
  });

  it("the addon this Node built reports this Node's ABI", async () => {
    const r = await runNode(`
      import { createRequire } from 'node:module';
      console.log(createRequire(import.meta.url)(${JSON.stringify(built)}).abi);
    `);
    expect(r.stdout.trim(), r.stderr).to.equal(ABI);
  });

  it('a prebuild for this ABI serves when there is no local build', async () => {
    const root = packageRoot(join(scratch.dir, 'prebuild-only'), { [prebuildName]: built });
    expect(await whatLoads(root)).to.deep.equal({ read: 8, backend: 'kernel-aio', reason: null, text: '{"name":' });
  });

  it('a local build of another ABI falls through to the prebuild for this one', async () => {
    const root = packageRoot(join(scratch.dir, 'stale-build'), {
      'build/Release/linux_aio.node': otherAbi,
      [prebuildName]: built,
    });
    expect(await whatLoads(root)).to.deep.equal({ read: 8, backend: 'kernel-aio', reason: null, text: '{"name":' });
  });

  it('a prebuild tagged with another ABI is never chosen', async () => {
    const root = packageRoot(join(scratch.dir, 'wrong-prebuild'), {
      [`prebuilds/linux-${arch()}/node.abi1.glibc.node`]: built,
    });
    const seen = await whatLoads(root);
    expect(seen.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(seen.message).to.include(`no addon was built for Node ${process.version} (ABI ${ABI}, linux-${arch()}) and no prebuild fits it`);
  });

  it('with only a build of another ABI: ERR_AIO_UNAVAILABLE naming both ABIs and the fix; the drop-in runs on node:fs', async () => {
    const root = packageRoot(join(scratch.dir, 'stale-only'), { 'build/Release/linux_aio.node': otherAbi });
    const seen = await whatLoads(root);
    expect(seen.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(seen.message).to.include('build/Release/linux_aio.node: linux-aio: this addon was built for Node');
    expect(seen.message).to.include('(ABI 1) and cannot run on this Node');
    expect(seen.message).to.include('npm rebuild linux-aio');
    expect(seen.backend).to.equal('node-fs');
    expect(seen.reason).to.include('(ABI 1) and cannot run on this Node');
    expect(seen.text).to.equal('{"name":');
  });

  it('with the addon missing: ERR_AIO_UNAVAILABLE with the fix, and the drop-in runs on node:fs and says why', async () => {
    const root = packageRoot(join(scratch.dir, 'missing'), {});
    const seen = await whatLoads(root);
    expect(seen.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(seen.message).to.equal(
      `Kernel AIO is unavailable: the native addon could not be loaded (no addon was built for Node ${process.version} ` +
      `(ABI ${ABI}, linux-${arch()}) and no prebuild fits it). To build it for this Node, install g++, make and Python 3, ` +
      'then run `npm rebuild linux-aio` (npm 11 may first need `npm install-scripts approve linux-aio`)');
    expect(seen).to.deep.include({
      backend: 'node-fs',
      reason: `the addon did not load: no addon was built for Node ${process.version} (ABI ${ABI}, linux-${arch()}) and no prebuild fits it`,
      text: '{"name":',
    });
  });

  it('on another OS (process.platform faked as darwin): nothing is loaded, and the drop-in runs on node:fs', async () => {
    const fake = join(scratch.dir, 'darwin.mjs');
    writeFileSync(fake, "Object.defineProperty(process, 'platform', { value: 'darwin' });\n");
    const seen = await whatLoads(packageRoot(join(scratch.dir, 'darwin'), { [prebuildName]: built }), {
      NODE_OPTIONS: `--import=${fake}`,
    });
    expect(seen).to.deep.equal({
      code: 'ERR_AIO_UNAVAILABLE',
      message: 'Kernel AIO is unavailable: the native addon could not be loaded (kernel AIO is Linux-only (this is darwin)). ' +
        'Kernel AIO needs Linux; linux-aio/promises runs on node:fs here',
      backend: 'node-fs',
      reason: 'the addon did not load: kernel AIO is Linux-only (this is darwin)',
      text: '{"name":',
    });
  });

  it('LINUX_AIO_ADDON naming a build of another ABI is refused the same way', async () => {
    const seen = await whatLoads(packageRoot(join(scratch.dir, 'override'), {}), { LINUX_AIO_ADDON: otherAbi });
    expect(seen.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(seen.message).to.include('(ABI 1) and cannot run on this Node');
    expect(seen.backend).to.equal('node-fs');
  });
});
