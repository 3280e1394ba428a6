import { expect } from 'chai';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

import {
  AioContext, allocAligned, constants, dioAlignment, ioprio, isAligned, type AioRequest, type OpOptions, type RequestSpec,
} from '../lib/index.js';
import { Fds, O_RDONLY, O_RDWR, makePipe, scratchDir, writeFile } from './support/helpers.js';

type Case = [label: string, call: (ctx: AioContext, fd: number) => unknown, code: string, ctor: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor];

// Bad arguments throw at once (docs/contract.md): synchronously, with Node's codes, and nothing is queued.
describe('bad arguments', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  const path = writeFile(join(scratch.dir, 'data'), Buffer.alloc(4096, 1));
  let ctx: AioContext;
  let fd: number;
  before(() => { ctx = new AioContext({ maxEvents: 8 }); fd = fds.open(path, O_RDONLY); });
  after(async () => { await ctx.close(); fds.closeAll(); scratch.cleanup(); });

  const buf = Buffer.alloc(16);
  const bad = (o: unknown) => o as OpOptions;
  const cases: Case[] = [
    ['fd as string', (c) => c.read('3' as unknown as number, buf, 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['fd fractional', (c) => c.read(1.5, buf, 0), 'ERR_OUT_OF_RANGE', RangeError],
    ['fd negative', (c) => c.write(-1, buf, 0), 'ERR_OUT_OF_RANGE', RangeError],
    ['fd NaN', (c) => c.fsync(NaN), 'ERR_OUT_OF_RANGE', RangeError],
    ['fd too large', (c) => c.fdsync(2 ** 31), 'ERR_OUT_OF_RANGE', RangeError],
    ['fd bigint', (c) => c.poll(3n as unknown as number, constants.POLLIN), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffer missing', (c, f) => c.read(f, undefined as unknown as Buffer, 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffer as string', (c, f) => c.write(f, 'text' as unknown as Buffer, 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffer as ArrayBuffer', (c, f) => c.read(f, new ArrayBuffer(8) as unknown as Buffer, 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['position negative', (c, f) => c.read(f, buf, -1), 'ERR_OUT_OF_RANGE', RangeError],
    ['position fractional', (c, f) => c.read(f, buf, 0.5), 'ERR_OUT_OF_RANGE', RangeError],
    ['position NaN', (c, f) => c.read(f, buf, NaN), 'ERR_OUT_OF_RANGE', RangeError],
    ['position beyond safe integers', (c, f) => c.read(f, buf, 2 ** 53), 'ERR_OUT_OF_RANGE', RangeError],
    ['position negative bigint', (c, f) => c.read(f, buf, -1n), 'ERR_OUT_OF_RANGE', RangeError],
    ['position bigint >= 2^63', (c, f) => c.read(f, buf, 2n ** 63n), 'ERR_OUT_OF_RANGE', RangeError],
    ['position null', (c, f) => c.read(f, buf, null as unknown as number), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['position as string', (c, f) => c.write(f, buf, '0' as unknown as number), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffers not an array', (c, f) => c.readv(f, buf as unknown as Buffer[], 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffers empty', (c, f) => c.writev(f, [], 0), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['buffers with a non-view', (c, f) => c.readv(f, [buf, 'x' as unknown as Buffer], 0), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['buffers beyond IOV_MAX', (c, f) => c.readv(f, new Array(1025).fill(buf), 0), 'ERR_OUT_OF_RANGE', RangeError],
    ['options not an object', (c, f) => c.read(f, buf, 0, 'fast' as unknown as OpOptions), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['signal not an AbortSignal', (c, f) => c.read(f, buf, 0, bad({ signal: {} })), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['unknown rwFlags bit', (c, f) => c.read(f, buf, 0, { rwFlags: 0x8000 }), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['rwFlags fractional', (c, f) => c.read(f, buf, 0, { rwFlags: 1.5 }), 'ERR_OUT_OF_RANGE', RangeError],
    ['rwFlags on fsync', (c, f) => c.fsync(f, { rwFlags: constants.RWF_NOWAIT }), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['rwFlags on poll', (c, f) => c.poll(f, constants.POLLIN, { rwFlags: constants.RWF_NOWAIT }), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['priority negative', (c, f) => c.read(f, buf, 0, { priority: -1 }), 'ERR_OUT_OF_RANGE', RangeError],
    ['priority too large', (c, f) => c.read(f, buf, 0, { priority: 0x10000 }), 'ERR_OUT_OF_RANGE', RangeError],
    ['priority as string', (c, f) => c.read(f, buf, 0, bad({ priority: 'high' })), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['poll events zero', (c, f) => c.poll(f, 0), 'ERR_OUT_OF_RANGE', RangeError],
    ['poll events unknown bit', (c, f) => c.poll(f, 0x4000), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['poll events as string', (c, f) => c.poll(f, 'in' as unknown as number), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['submit not an array', (c) => c.submit({} as unknown as []), 'ERR_INVALID_ARG_TYPE', TypeError],
    ['submit unknown op', (c, f) => c.submit([{ op: 'truncate', fd: f } as never]), 'ERR_INVALID_ARG_VALUE', TypeError],
    ['submit: one bad spec rejects the batch', (c, f) => c.submit([
      { op: 'read', fd: f, buffer: buf, position: 0 },
      { op: 'read', fd: f, buffer: buf, position: -5 },
    ]), 'ERR_OUT_OF_RANGE', RangeError],
    ['cancel a non-request', (c) => c.cancel({} as never), 'ERR_INVALID_ARG_TYPE', TypeError],
  ];

  for (const [label, call, code, ctor] of cases) {
    it(`${label}: throws ${code}, queues nothing`, () => {
      const before = ctx.stats();
      let thrown: unknown;
      try { call(ctx, fd); } catch (e) { thrown = e; }
      expect(thrown, 'should throw synchronously').to.be.instanceOf(ctor);
      expect(thrown).to.have.property('code', code);
      expect((thrown as Error).message).to.match(/^The (value of "|"|argument '|property ')/);
      expect(ctx.queued).to.equal(0);
      expect(ctx.inFlight).to.equal(0);
      expect(ctx.stats().completed).to.equal(before.completed);
    });
  }

  it('messages follow Node\'s wording', () => {
    expect(() => ctx.read('3' as unknown as number, buf, 0)).to.throw(
      'The "fd" argument must be of type number. Received type string (\'3\')');
    expect(() => ctx.read(fd, buf, -1)).to.throw(
      'The value of "position" is out of range. It must be >= 0 && <= 9007199254740991. Received -1');
  });

  it('a request from another context cannot be cancelled here', async () => {
    const other = new AioContext({ maxEvents: 2 });
    const req = other.read(fd, Buffer.alloc(1), 0);
    expect(() => ctx.cancel(req)).to.throw(TypeError).with.property('code', 'ERR_INVALID_ARG_VALUE');
    await req;
    await other.close();
  });

  // Inputs that are valid arguments but that the kernel (or the buffer's
  // state) cannot serve: each settles with a coded Completion, never throws,
  // and the context goes on serving the next request.
  describe('valid arguments the kernel refuses', () => {
    type Settles = [label: string, make: () => Promise<{ res: number; error: Error | null }>, res: number | string];
    const dir = scratch.dir;
    const settles: Settles[] = [
      ['a closed fd', () => {
        const closed = openSync(path, 'r');
        closeSync(closed);
        return ctx.read(closed, Buffer.alloc(16), 0);
      }, 'EBADF'],
      ['a directory fd', () => ctx.read(fds.open(dir, O_RDONLY), Buffer.alloc(16), 0), 'EINVAL'],
      ['a write on a read-only fd', () => ctx.write(fd, Buffer.alloc(16), 0), 'EBADF'],
      ['a zero-length buffer', () => ctx.read(fd, Buffer.alloc(0), 0), 0],
      ['a buffer detached before the flush', () => {
        const ab = new ArrayBuffer(64);
        const req = ctx.read(fd, new Uint8Array(ab), 0);
        structuredClone(ab, { transfer: [ab] });
        return req;
      }, 0],
      ['a read past the end of the file', () => ctx.read(fd, Buffer.alloc(16), 2 ** 40), 0],
      ['a huge buffer on a small file', () => ctx.read(fd, Buffer.alloc(1 << 24), 0), 4096],
    ];
    for (const [label, make, expected] of settles) {
      it(`${label}: settles with ${typeof expected === 'string' ? expected : `res ${expected}`}, the context goes on`, async () => {
        const before = ctx.stats();
        const c = await make();
        if (typeof expected === 'string') {
          expect(c.error).to.include({ code: expected });
          expect(c.res).to.equal((c.error as Error & { errno: number }).errno);
        } else {
          expect(c.error, c.error?.message).to.equal(null);
          expect(c.res).to.equal(expected);
        }
        const next = await ctx.read(fd, Buffer.alloc(8), 0);
        expect(next.res).to.equal(8);
        const after = ctx.stats();
        expect(after.completed - before.completed).to.equal(2);
        expect(ctx.inFlight + ctx.queued).to.equal(0);
      });
    }
  });

  describe('constructor and helpers', () => {
    const throwsCode = (fn: () => unknown, code: string) => expect(fn).to.throw().with.property('code', code);
    it('AioContext options', () => {
      throwsCode(() => new AioContext({ maxEvents: 0 }), 'ERR_OUT_OF_RANGE');
      throwsCode(() => new AioContext({ maxEvents: 1.5 }), 'ERR_OUT_OF_RANGE');
      throwsCode(() => new AioContext({ maxEvents: '8' as unknown as number }), 'ERR_INVALID_ARG_TYPE');
      throwsCode(() => new AioContext(7 as unknown as object), 'ERR_INVALID_ARG_TYPE');
    });
    it('allocAligned', () => {
      throwsCode(() => allocAligned(-1), 'ERR_OUT_OF_RANGE');
      throwsCode(() => allocAligned(4096, 3000), 'ERR_INVALID_ARG_VALUE');
      throwsCode(() => allocAligned(4096, 4), 'ERR_OUT_OF_RANGE');
      throwsCode(() => allocAligned('1' as unknown as number), 'ERR_INVALID_ARG_TYPE');
    });
    it('dioAlignment', () => {
      throwsCode(() => dioAlignment({} as unknown as string), 'ERR_INVALID_ARG_TYPE');
      throwsCode(() => dioAlignment(''), 'ERR_INVALID_ARG_VALUE');
      throwsCode(() => dioAlignment(-3), 'ERR_OUT_OF_RANGE');
      expect(() => dioAlignment(join(scratch.dir, 'missing'))).to.throw(
        `ENOENT: no such file or directory, statx '${join(scratch.dir, 'missing')}'`);
    });
    it('isAligned', () => {
      throwsCode(() => isAligned(new ArrayBuffer(8) as unknown as Uint8Array, 8), 'ERR_INVALID_ARG_TYPE');
      throwsCode(() => isAligned(Buffer.alloc(8), 0), 'ERR_OUT_OF_RANGE');
      throwsCode(() => isAligned(Buffer.alloc(8), 2 ** 32), 'ERR_OUT_OF_RANGE');
      throwsCode(() => isAligned(Buffer.alloc(8), 1.5), 'ERR_OUT_OF_RANGE');
      throwsCode(() => isAligned(Buffer.alloc(8), 24), 'ERR_INVALID_ARG_VALUE');
      expect(isAligned(Buffer.alloc(8), 1)).to.equal(true);
    });
    it('ioprio', () => {
      throwsCode(() => ioprio(4, 0), 'ERR_OUT_OF_RANGE');
      throwsCode(() => ioprio(2, 8), 'ERR_OUT_OF_RANGE');
    });
  });
});

// One Completion per request, and Bad arguments throw at once, when reading
// the arguments runs the caller's code: a getter
// that closes the context makes the call throw ERR_AIO_CLOSED with nothing
// queued (a request queued on a closed context would never settle); one
// that only uses the context, even to start requests, changes nothing.
describe('the caller\'s code run while the arguments are read', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  const path = writeFile(join(scratch.dir, 'data'), Buffer.from('0123456789abcdef'));
  let fd: number;
  let pipeRead: number;
  before(() => {
    fd = fds.open(path, O_RDWR);
    [pipeRead] = makePipe(scratch.dir, fds);
  });
  after(() => { fds.closeAll(); scratch.cleanup(); });

  /** `target` with a getter at `key` that runs `effect` and returns `value`. */
  const withGetter = <T extends object>(target: T, key: PropertyKey, value: unknown, effect: () => void): T =>
    Object.defineProperty(target, key, { enumerable: true, get() { effect(); return value; } });

  type Call = [label: string, call: (ctx: AioContext, effect: () => void) => unknown];
  const calls: Call[] = [
    ['read, options.rwFlags', (c, e) => c.read(fd, Buffer.alloc(4), 0, withGetter({}, 'rwFlags', 0, e))],
    ['write, options.priority', (c, e) => c.write(fd, Buffer.from('x'), 20, withGetter({}, 'priority', undefined, e))],
    ['readv, a getter element of buffers', (c, e) => c.readv(fd, withGetter([Buffer.alloc(2), Buffer.alloc(2)], 1, Buffer.alloc(2), e), 0)],
    ['writev, options.signal', (c, e) => c.writev(fd, [Buffer.from('y')], 21, withGetter({}, 'signal', undefined, e))],
    ['fsync, options.tag', (c, e) => c.fsync(fd, withGetter({}, 'tag', 'the tag', e))],
    ['fdsync, options.signal giving a real signal', (c, e) => c.fdsync(fd, withGetter({}, 'signal', new AbortController().signal, e))],
    ['poll, options.priority', (c, e) => c.poll(pipeRead, constants.POLLIN, withGetter({}, 'priority', undefined, e))],
    ['submit, the fd of the second spec', (c, e) => c.submit([
      { op: 'read', fd, buffer: Buffer.alloc(4), position: 0 },
      withGetter({ op: 'fsync' } as RequestSpec, 'fd', fd, e),
      { op: 'write', fd, buffer: Buffer.from('z'), position: 22 },
    ])],
    ['submit, the op of a spec', (c, e) => c.submit([withGetter({ fd } as RequestSpec, 'op', 'fdsync', e)])],
  ];

  for (const [label, call] of calls) {
    it(`${label}: closing the context throws ERR_AIO_CLOSED, nothing is queued, close() resolves`, async () => {
      const ctx = new AioContext({ maxEvents: 4 });
      let closing: Promise<void> | undefined;
      let thrown: unknown;
      try { call(ctx, () => { closing ??= ctx.close(); }); } catch (e) { thrown = e; }
      expect(closing, 'the getter ran').to.be.instanceOf(Promise);
      expect(thrown).to.be.instanceOf(Error).with.property('code', 'ERR_AIO_CLOSED');
      expect(ctx.queued).to.equal(0);
      expect(ctx.inFlight).to.equal(0);
      expect(ctx.stats().completed).to.equal(0);
      await closing;
    });

    it(`${label}: starting a request on the same context works, and both settle`, async () => {
      const ctx = new AioContext({ maxEvents: 4 });
      const inner: AioRequest[] = [];
      const made = call(ctx, () => { if (inner.length === 0) inner.push(ctx.read(fd, Buffer.alloc(4), 4)); });
      expect(inner).to.have.length(1);
      const outer = Array.isArray(made) ? made as AioRequest[] : [made as AioRequest];
      // Each made request waits, is in the kernel, or is done (submit() flushes at once).
      expect(ctx.queued + ctx.inFlight + ctx.stats().completed).to.equal(1 + outer.length);
      // The pipe stays empty: a poll would wait for ever.
      for (const r of outer) if (r.op === 'poll') void r.cancel();
      const [first] = await Promise.all([inner[0], ...outer]);
      expect(first.res).to.equal(4);
      for (const r of outer) {
        const c = await r;
        expect(c.res >= 0 || c.cancelled, `${r.op}: ${c.error?.message}`).to.equal(true);
      }
      expect(ctx.queued + ctx.inFlight).to.equal(0);
      await ctx.close();
    });
  }

  it('a signal\'s own aborted getter and addEventListener are not what the context calls', async () => {
    const ctx = new AioContext({ maxEvents: 4 });
    const signal = new AbortController().signal;
    const close = () => { void ctx.close(); };
    withGetter(signal, 'aborted', false, close);
    Object.defineProperty(signal, 'addEventListener', { value: close });
    const request = ctx.fdsync(fd, { signal });
    expect(ctx.closed, 'the caller\'s code ran while the request was being queued').to.equal(false);
    expect((await request).res).to.equal(0);
    await ctx.close();
  });

  it('an object that only inherits from AbortSignal.prototype is not a signal', async () => {
    const ctx = new AioContext({ maxEvents: 4 });
    const fake = Object.create(AbortSignal.prototype) as AbortSignal;
    expect(() => ctx.fsync(fd, { signal: fake })).to.throw(TypeError).with.property('code', 'ERR_INVALID_ARG_TYPE');
    expect(ctx.queued + ctx.inFlight).to.equal(0);
    await ctx.close();
  });
});
