import { expect } from 'chai';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { AioContext, allocAligned } from '../lib/index.js';
import { aioUnavailable, errnoError } from '../lib/errors.js';
import { ENTRY, Fds, O_DIRECT, O_RDONLY, O_RDWR, patternBytes, preloadEnv, runNode, scratchDir, syscallShim, writeFile } from './support/helpers.js';

const { EBADF, EINVAL, EAGAIN, ENOSYS } = osConstants.errno;

describe('negative results arrive as data', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  let ctx: AioContext;
  const path = writeFile(join(scratch.dir, 'data'), patternBytes(16384));

  beforeEach(() => { ctx = new AioContext({ maxEvents: 16 }); });
  afterEach(async () => { await ctx.close(); fds.closeAll(); });
  after(() => scratch.cleanup());

  it('write on an O_RDONLY fd settles with -EBADF, never rejects', async () => {
    const fd = fds.open(path, O_RDONLY);
    const c = await ctx.write(fd, Buffer.from('nope'), 0);
    expect(c.res).to.equal(-EBADF);
    expect(c.cancelled).to.equal(false);
    expect(c.error).to.be.instanceOf(Error);
    expect(c.error).to.include({ code: 'EBADF', errno: -EBADF });
    expect(c.error!.message).to.match(/^EBADF: bad file descriptor, /);
    expect(readFileSync(path).equals(patternBytes(16384))).to.equal(true);
  });

  it('a misaligned O_DIRECT read completes with -EINVAL', async () => {
    const fd = fds.open(path, O_RDWR | O_DIRECT);
    const misaligned = allocAligned(8192).subarray(1, 4097);
    const c = await ctx.read(fd, misaligned, 0);
    expect(c.res).to.equal(-EINVAL);
    expect(c.error).to.include({ code: 'EINVAL', errno: -EINVAL, syscall: 'read' });
    const offsetMisaligned = await ctx.read(fd, allocAligned(4096), 100);
    expect(offsetMisaligned.res).to.equal(-EINVAL);
  });

  it('a closed fd refused at io_submit settles with -EBADF; the rest of its batch still runs', async () => {
    const good = fds.open(path, O_RDONLY);
    const closed = openSync(path, O_RDONLY);
    closeSync(closed);
    const bufs = [Buffer.alloc(16), Buffer.alloc(16), Buffer.alloc(16)];
    const [a, bad, b] = [ctx.read(good, bufs[0], 0), ctx.read(closed, bufs[1], 0), ctx.read(good, bufs[2], 16)];
    const [ca, cbad, cb] = await Promise.all([a, bad, b]);
    expect(ca.res).to.equal(16);
    expect(cb.res).to.equal(16);
    expect(cbad.res).to.equal(-EBADF);
    expect(cbad.error).to.include({ code: 'EBADF', syscall: 'io_submit' });
    expect(bufs[0].equals(patternBytes(16384).subarray(0, 16))).to.equal(true);
    expect(bufs[2].equals(patternBytes(16384).subarray(16, 32))).to.equal(true);
    const s = ctx.stats();
    expect(s.refused).to.equal(1);
    expect(s.submitted).to.equal(2);
  });

  it('a directory fd is refused at io_submit with -EINVAL (no read_iter)', async () => {
    const dirFd = fds.open(scratch.dir, O_RDONLY);
    const c = await ctx.read(dirFd, Buffer.alloc(16), 0);
    expect(c.res).to.equal(-EINVAL);
    expect(c.error).to.include({ code: 'EINVAL', syscall: 'io_submit' });
    expect(c.error!.message).to.equal('EINVAL: invalid argument, io_submit');
  });
});

describe('ERR_AIO_UNAVAILABLE', () => {
  it('maxEvents above fs.aio-max-nr: io_setup EAGAIN becomes a clear error', () => {
    const max = Number(readFileSync('/proc/sys/fs/aio-max-nr', 'utf8'));
    let thrown: (Error & { code?: string; cause?: unknown }) | undefined;
    try {
      new AioContext({ maxEvents: max + 1 });
    } catch (e) {
      thrown = e as Error & { code?: string };
    }
    expect(thrown, 'constructor should throw').to.be.instanceOf(Error);
    expect(thrown!.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(thrown!.message).to.include('sysctl -w fs.aio-max-nr');
    expect(thrown!.cause).to.include({ code: 'EAGAIN', errno: -EAGAIN, syscall: 'io_setup' });
  });

  it('names the fix for ENOSYS', () => {
    const err = aioUnavailable(errnoError(-ENOSYS, 'io_setup'), 256) as Error & { code: string; cause: Error };
    expect(err.code).to.equal('ERR_AIO_UNAVAILABLE');
    expect(err.message).to.include('CONFIG_AIO');
    expect(err.cause).to.include({ code: 'ENOSYS', errno: -ENOSYS });
  });

  it('a kernel whose io_setup says ENOSYS (syscall shim via LD_PRELOAD) gives ERR_AIO_UNAVAILABLE', async function () {
    const scratch = scratchDir();
    try {
      const lib = syscallShim(scratch.dir, 'enosys', 'if (n == SYS_io_setup) { errno = ENOSYS; return -1; }');
      if (lib === null) this.skip();
      const r = await runNode(`
        import { AioContext, probe } from ${JSON.stringify(ENTRY)};
        try { new AioContext(); console.log('no error'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, cause: e.cause.code, message: e.message, probe: probe().aio })); }
      `, { env: preloadEnv(lib!) });
      expect(r.code, r.stderr).to.equal(0);
      const out = JSON.parse(r.stdout);
      expect(out.code).to.equal('ERR_AIO_UNAVAILABLE');
      expect(out.cause).to.equal('ENOSYS');
      expect(out.message).to.include('CONFIG_AIO');
      expect(out.probe.supported).to.equal(false);
    } finally {
      scratch.cleanup();
    }
  });
});
