import { expect } from 'chai';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import * as aioFs from '../lib/promises.js';
import { ENTRY, rejection, runNode, scratchDir, writeFile } from './support/helpers.js';

type Fs = typeof nodeFs;

function shape(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { notAnError: String(e) };
  const x = e as Error & Record<string, unknown>;
  return {
    ctor: e.constructor.name, name: e.name, message: e.message, code: x.code, errno: x.errno,
    syscall: x.syscall, path: x.path, cause: x.cause instanceof Error ? x.cause.message : x.cause,
  };
}

/** What `run` rejected with, as `shape` sees it, or `{ resolved: true }`. */
const failure = (run: () => Promise<unknown>) => rejection(run, shape);

// The error cases node:fs documents and tests, through both modules.
describe('linux-aio/promises errors are node:fs errors', () => {
  const scratch = scratchDir();
  const file = writeFile(join(scratch.dir, 'file'), Buffer.from('data'));
  after(() => scratch.cleanup());

  const withHandle = (flags: string, fn: (fh: FileHandle) => Promise<unknown>) => async (fs: Fs) => {
    const fh = await fs.open(file, flags);
    try {
      return await fn(fh);
    } finally {
      await fh.close();
    }
  };

  const cases: [string, (fs: Fs) => Promise<unknown>][] = [
    ['ENOENT from open', (fs) => fs.open(join(scratch.dir, 'missing'))],
    ['ENOENT from readFile', (fs) => fs.readFile(join(scratch.dir, 'missing'))],
    ['EISDIR from readFile of a directory', (fs) => fs.readFile(scratch.dir)],
    ['EIO from readFile of /proc/self/mem (a read error)', (fs) => fs.readFile('/proc/self/mem')],
    ['EISDIR from open(dir, "w")', (fs) => fs.open(scratch.dir, 'w')],
    ['EISDIR from read on a directory handle', async (fs) => {
      const fh = await fs.open(scratch.dir);
      try { return await fh.read(Buffer.alloc(4), 0, 4, 0); } finally { await fh.close(); }
    }],
    ['EBADF from read after close', async (fs) => {
      const fh = await fs.open(file);
      await fh.close();
      return fh.read(Buffer.alloc(4), 0, 4, 0);
    }],
    ['EBADF from readFile after close', async (fs) => {
      const fh = await fs.open(file);
      await fh.close();
      return fh.readFile();
    }],
    ['EBADF from write on a read-only handle', withHandle('r', (fh) => fh.write(Buffer.from('x'), 0, 1, 0))],
    ['EBADF from read on a write-only handle', withHandle('a', (fh) => fh.read(Buffer.alloc(4), 0, 4, 0))],
    ['ERR_OUT_OF_RANGE: length beyond the buffer', withHandle('r', (fh) => fh.read(Buffer.alloc(4), 0, 5, 0))],
    ['ERR_OUT_OF_RANGE: negative offset', withHandle('r', (fh) => fh.read(Buffer.alloc(4), -1, 1, 0))],
    ['ERR_OUT_OF_RANGE: write offset beyond the buffer', withHandle('r+', (fh) => fh.write(Buffer.alloc(4), 5))],
    ['ERR_INVALID_ARG_VALUE: empty buffer', withHandle('r', (fh) => fh.read(Buffer.alloc(0), 0, 1, 0))],
    ['ERR_INVALID_ARG_TYPE: readv of a non-array', withHandle('r', (fh) => fh.readv('x' as never, 0))],
    ['ERR_INVALID_ARG_VALUE: unknown encoding', (fs) => fs.readFile(file, { encoding: 'klingon' as BufferEncoding })],
    ['ERR_INVALID_ARG_TYPE: signal not an AbortSignal', (fs) => fs.readFile(file, { signal: {} as AbortSignal })],
    ['AbortError with cause from an aborted signal', (fs) => fs.readFile(file, { signal: AbortSignal.abort(new Error('stop')) })],
    ['AbortError, not ENOENT, from an aborted signal on a missing file', (fs) => fs.readFile(join(scratch.dir, 'missing'), { signal: AbortSignal.abort() })],
    ['AbortError from an aborted signal on a handle', withHandle('r', (fh) => fh.readFile({ signal: AbortSignal.abort('why') }))],
  ];

  for (const [label, run] of cases) {
    it(label, async () => {
      const expected = await failure(() => run(nodeFs));
      expect(expected, 'node rejects').to.not.have.property('resolved');
      expect(await failure(() => run(aioFs as unknown as Fs))).to.deep.equal(expected);
    });
  }

  it('sync() and datasync() under the permission model: node\'s outcome (Node 24 refuses them)', async () => {
    const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
    const r = await runNode(`
      import * as ours from ${JSON.stringify(ENTRY.replace('index.js', 'promises.js'))};
      import * as node from 'node:fs/promises';
      const out = [ours.backend];
      for (const fs of [node, ours]) {
        const fh = await fs.open(${JSON.stringify(file)}, 'r+');
        for (const call of ['sync', 'datasync']) {
          try { await fh[call](); out.push('resolved'); } catch (e) { out.push({ code: e.code, message: e.message }); }
        }
        await fh.close();
      }
      console.log(JSON.stringify(out));
    `, { args: [permission, '--allow-fs-read=*', '--allow-fs-write=*', '--allow-addons', '--no-warnings'] });
    expect(r.code, r.stderr).to.equal(0);
    const [backend, ...outcomes] = JSON.parse(r.stdout);
    expect(backend, 'the addon loads under the permission model').to.equal('kernel-aio');
    expect(outcomes.slice(2)).to.deep.equal(outcomes.slice(0, 2));
  });

  it('EACCES (as an unprivileged user)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to switch to nobody
    const secret = writeFile(join(scratch.dir, 'secret'), Buffer.from('x'));
    await nodeFs.chmod(secret, 0o600);
    await nodeFs.chmod(scratch.dir, 0o755);
    const r = await runNode(`
      import * as ours from ${JSON.stringify(ENTRY.replace('index.js', 'promises.js'))};
      import * as node from 'node:fs/promises';
      process.setgid(65534); process.setuid(65534);
      const shape = (e) => ({ message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path });
      const out = [];
      for (const fs of [node, ours]) {
        for (const f of [() => fs.readFile(${JSON.stringify(secret)}), () => fs.open(${JSON.stringify(secret)}, 'r')]) {
          try { await f(); out.push('resolved'); } catch (e) { out.push(shape(e)); }
        }
      }
      console.log(JSON.stringify(out));
    `);
    expect(r.code, r.stderr).to.equal(0);
    const [nodeRead, nodeOpen, oursRead, oursOpen] = JSON.parse(r.stdout);
    expect(nodeRead.code).to.equal('EACCES');
    expect(oursRead).to.deep.equal(nodeRead);
    expect(oursOpen).to.deep.equal(nodeOpen);
  });
});
