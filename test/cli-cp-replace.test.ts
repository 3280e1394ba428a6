import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { patternBytes, ROOT, runChild, scratchDir } from './support/helpers.js';

// `linux-aio cp` stopped mid-copy, as a user or the OOM killer stops it:
// DST must be what it was, or absent, never part of the new file.
const CLI = join(ROOT, 'dist/lib/cli.js');
const SIZE = 256 << 20; // about a second to copy in 16 KiB chunks: the kill lands long before the end
const OLD = patternBytes(100_000, 12);
const LEFT_BEHIND = /^\.dst\.linux-aio-[A-Za-z0-9]{6}$/;

interface Stopped { code: number | null; signal: NodeJS.Signals | null; stderr: string }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('linux-aio cp replaces DST only with the whole copy', function () {
  this.timeout(120000);
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = scratchDir());
    writeFileSync(join(dir, 'src'), patternBytes(SIZE, 11));
  });
  after(() => cleanup());
  /** The files in `dir` other than SRC. */
  const others = () => readdirSync(dir).filter((n) => n !== 'src').sort();
  afterEach(() => {
    for (const name of others()) rmSync(join(dir, name));
  });

  /**
   * Starts `cp [options] src dst` and sends `signal` as soon as the copy has
   * written anything: bytes in a new file, or any change to DST.
   */
  async function stopMidCopy(options: string[], signal: NodeJS.Signals): Promise<Stopped> {
    const dst = join(dir, 'dst');
    const before = statSync(dst, { throwIfNoEntry: false });
    const child = spawn(process.execPath, [CLI, 'cp', '--chunk', '16K', ...options, 'src', 'dst'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const ended = new Promise<Stopped>((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, stderr })));
    let running = true;
    void ended.then(() => { running = false; });
    const started = Date.now();
    for (;;) {
      const now = statSync(dst, { throwIfNoEntry: false });
      const dstChanged = now?.ino !== before?.ino || now?.size !== before?.size;
      const written = others().some((n) => n !== 'dst' && statSync(join(dir, n), { throwIfNoEntry: false })?.size);
      if (dstChanged || written || !running || Date.now() - started > 20000) break;
      await sleep(1);
    }
    child.kill(signal);
    return ended;
  }

  /** DST as it was before the copy: `old`, or absent. */
  function expectUntouched(old: Buffer | null): void {
    const now = statSync(join(dir, 'dst'), { throwIfNoEntry: false });
    if (old === null) {
      expect(now, 'DST after the kill').to.equal(undefined);
    } else {
      const left = readFileSync(join(dir, 'dst'));
      expect(left.length, 'DST size after the kill').to.equal(old.length);
      expect(left.equals(old), 'DST content after the kill').to.equal(true);
    }
  }

  for (const direct of [false, true]) {
    const options = direct ? ['--direct'] : [];
    for (const old of [null, OLD]) {
      it(`SIGKILL${direct ? ' --direct' : ''}, DST ${old === null ? 'absent' : 'there'}: DST as it was, the new file left behind`, async () => {
        if (old !== null) writeFileSync(join(dir, 'dst'), old);
        const r = await stopMidCopy(options, 'SIGKILL');
        expect([r.code, r.signal], 'killed mid-copy, not after').to.deep.equal([null, 'SIGKILL']);
        expectUntouched(old);
        const left = others().filter((n) => n !== 'dst');
        expect(left).to.have.length(1);
        expect(left[0]).to.match(LEFT_BEHIND);
      });
    }
  }

  it('SIGTERM: DST as it was, the new file removed, the process ended by the signal', async () => {
    writeFileSync(join(dir, 'dst'), OLD);
    const r = await stopMidCopy([], 'SIGTERM');
    expect([r.code, r.signal, r.stderr]).to.deep.equal([null, 'SIGTERM', '']);
    expectUntouched(OLD);
    expect(others()).to.deep.equal(['dst']);
  });

  it('SIGINT (Ctrl-C) --direct: still no DST, the new file removed, the process ended by the signal', async () => {
    const r = await stopMidCopy(['--direct'], 'SIGINT');
    expect([r.code, r.signal, r.stderr]).to.deep.equal([null, 'SIGINT', '']);
    expect(others()).to.deep.equal([]);
  });

  it('a whole copy replaces DST and leaves nothing else', async () => {
    writeFileSync(join(dir, 'dst'), OLD);
    const r = await runChild(process.execPath, [CLI, 'cp', '--verify', 'src', 'dst'], { cwd: dir, timeoutMs: 60000 });
    expect([r.code, r.stderr]).to.deep.equal([0, '']);
    expect(others()).to.deep.equal(['dst']);
    expect(readFileSync(join(dir, 'dst')).equals(readFileSync(join(dir, 'src')))).to.equal(true);
  });
});
