import { expect } from 'chai';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

import { AioContext } from '../lib/index.js';
import { Fds, O_RDONLY, O_WRONLY, patternBytes, scratchDir, writeFile } from './support/helpers.js';

const { EBADF, ECANCELED } = osConstants.errno;
const BLOCK = 4096;

describe('AioContext.readBatch', () => {
  const scratch = scratchDir();
  const content = patternBytes(256 * BLOCK, 17);
  const path = writeFile(join(scratch.dir, 'data'), content);
  let fds: Fds;
  let ctx: AioContext;
  let fd: number;
  beforeEach(() => {
    fds = new Fds();
    ctx = new AioContext({ maxEvents: 64 });
    fd = fds.open(path, O_RDONLY);
  });
  afterEach(async () => {
    await ctx.close();
    fds.closeAll();
  });

  const blocks = (n: number, step = 7) => Array.from({ length: n }, (_, i) => (i * step) % 256);
  const expectBlocks = (buffers: Buffer[], which: number[]) => which.forEach((b, i) => {
    if (!buffers[i].equals(content.subarray(b * BLOCK, (b + 1) * BLOCK))) expect.fail(`buffer ${i} (block ${b}) is wrong`);
  });

  it('reads each buffer at its position and resolves once, with the results in order', async () => {
    const which = blocks(40);
    const buffers = which.map(() => Buffer.alloc(BLOCK));
    const results = await ctx.readBatch(fd, buffers, which.map((b) => b * BLOCK));
    expect(results).to.be.instanceOf(Int32Array);
    expect([...results]).to.deep.equal(which.map(() => BLOCK));
    expectBlocks(buffers, which);
  });

  it('64 cached reads are one io_submit, settled as it returns, with no Completion for completions() to see', async () => {
    const seen: unknown[] = [];
    const stream = (async () => { for await (const c of ctx.completions()) seen.push(c); })();
    const which = blocks(64);
    const buffers = which.map(() => Buffer.alloc(BLOCK));
    const results = await ctx.readBatch(fd, buffers, which.map((b) => b * BLOCK));
    expect(results.every((r) => r === BLOCK)).to.equal(true);
    expect(ctx.stats()).to.include({ submitted: 64, completed: 64, batches: 1, submitSyscalls: 1, submitReaps: 1, errors: 0 });
    await ctx.close();
    await stream;
    expect(seen).to.deep.equal([]);
  });

  it('more reads than maxEvents wait for slots, in order, and all complete', async () => {
    const which = blocks(300, 3);
    const buffers = which.map(() => Buffer.alloc(BLOCK));
    const results = await ctx.readBatch(fd, buffers, which.map((b) => b * BLOCK));
    expect(results.every((r) => r === BLOCK)).to.equal(true);
    expectBlocks(buffers, which);
    expect(ctx.stats().submitted).to.equal(300);
    expect(ctx.inFlight + ctx.queued).to.equal(0);
  });

  it('shares its io_submit with the requests made in the same turn', async () => {
    const single = ctx.read(fd, Buffer.alloc(BLOCK), 0);
    const batch = ctx.readBatch(fd, [Buffer.alloc(BLOCK), Buffer.alloc(BLOCK)], [BLOCK, 2 * BLOCK]);
    const [c, results] = await Promise.all([single, batch]);
    expect(c.res).to.equal(BLOCK);
    expect([...results]).to.deep.equal([BLOCK, BLOCK]);
    expect(ctx.stats()).to.include({ submitted: 3, submitSyscalls: 1 });
  });

  it('short at the end of the file, 0 past it, -errno for a failed read: results, never a rejection', async () => {
    const end = content.length;
    const results = await ctx.readBatch(fd, [Buffer.alloc(BLOCK), Buffer.alloc(BLOCK)], [end - 100, end + BLOCK]);
    expect([...results]).to.deep.equal([100, 0]);
    const writeOnly = fds.open(path, O_WRONLY);
    const failed = await ctx.readBatch(writeOnly, [Buffer.alloc(16)], [0]);
    expect([...failed]).to.deep.equal([-EBADF]);
    expect(ctx.stats().errors).to.equal(1);
  });

  it('takes positions as any Array or TypedArray, numbers or bigints', async () => {
    const buffers = [Buffer.alloc(BLOCK), Buffer.alloc(BLOCK), Buffer.alloc(BLOCK)];
    const f64 = await ctx.readBatch(fd, buffers, new Float64Array([0, BLOCK, 2 * BLOCK]));
    const big = await ctx.readBatch(fd, buffers.slice(0, 2), [BigInt(3 * BLOCK), 4 * BLOCK]);
    expect([...f64, ...big]).to.deep.equal([BLOCK, BLOCK, BLOCK, BLOCK, BLOCK]);
    expectBlocks(buffers.slice(0, 2), [3, 4]);
  });

  it('an empty batch resolves at once to an empty Int32Array', async () => {
    const results = await ctx.readBatch(fd, [], []);
    expect(results.length).to.equal(0);
    expect(ctx.stats().submitted).to.equal(0);
  });

  it('bad arguments throw at once, as read() does, and queue nothing', () => {
    const b = [Buffer.alloc(8)];
    const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as { code?: string }).code; } return 'no throw'; };
    expect(code(() => ctx.readBatch(-1, b, [0]))).to.equal('ERR_OUT_OF_RANGE');
    expect(code(() => ctx.readBatch(fd, 'x' as never, [0]))).to.equal('ERR_INVALID_ARG_TYPE');
    expect(code(() => ctx.readBatch(fd, b, 0 as never))).to.equal('ERR_INVALID_ARG_TYPE');
    expect(code(() => ctx.readBatch(fd, b, [0, 8]))).to.equal('ERR_INVALID_ARG_VALUE');
    expect(code(() => ctx.readBatch(fd, [b[0], 'x' as never], [0, 8]))).to.equal('ERR_INVALID_ARG_TYPE');
    expect(code(() => ctx.readBatch(fd, [b[0], b[0]], [0, -1]))).to.equal('ERR_OUT_OF_RANGE');
    expect(code(() => ctx.readBatch(fd, b, [0], { rwFlags: 1 << 30 }))).to.equal('ERR_INVALID_ARG_VALUE');
    expect(ctx.queued + ctx.inFlight).to.equal(0);
  });

  it('an aborted signal cancels every read not yet done; one aborted before settles all at once', async () => {
    const before = await ctx.readBatch(fd, [Buffer.alloc(8), Buffer.alloc(8)], [0, 8], { signal: AbortSignal.abort() });
    expect([...before]).to.deep.equal([-ECANCELED, -ECANCELED]);
    expect(ctx.stats()).to.include({ submitted: 0, cancelled: 2 });
    const controller = new AbortController();
    const queued = ctx.readBatch(fd, [Buffer.alloc(8), Buffer.alloc(8)], [0, 8], { signal: controller.signal });
    controller.abort(); // still queued in user space: cancelled for sure
    expect([...await queued]).to.deep.equal([-ECANCELED, -ECANCELED]);
    expect(ctx.stats()).to.include({ submitted: 0, cancelled: 4, completed: 4 });
  });

  it('an abort after the first slots were filled cancels only the reads still waiting for one', async () => {
    const which = blocks(300, 3);
    const buffers = which.map(() => Buffer.alloc(BLOCK));
    const controller = new AbortController();
    const pending = ctx.readBatch(fd, buffers, which.map((b) => b * BLOCK), { signal: controller.signal });
    setImmediate(() => controller.abort()); // after the flush that filled the 64 slots
    const results = [...await pending];
    expect(results.slice(0, 64).every((r) => r === BLOCK), 'the 64 submitted').to.equal(true);
    expect(results.slice(64).every((r) => r === -ECANCELED), 'the rest').to.equal(true);
    expectBlocks(buffers.slice(0, 64), which.slice(0, 64));
    expect(ctx.stats()).to.include({ submitted: 64, completed: 300, cancelled: 236 });
    expect(ctx.inFlight + ctx.queued).to.equal(0);
  });

  it('close() while a batch is queued settles it cancelled, and throws ERR_AIO_CLOSED for a new one', async () => {
    const pending = ctx.readBatch(fd, [Buffer.alloc(8)], [0]);
    await ctx.close();
    expect([...await pending]).to.deep.equal([-ECANCELED]);
    expect(() => ctx.readBatch(fd, [Buffer.alloc(8)], [0])).to.throw().with.property('code', 'ERR_AIO_CLOSED');
  });

  it('cancelAll() cancels the reads of a batch too', async () => {
    const pending = ctx.readBatch(fd, [Buffer.alloc(8), Buffer.alloc(8)], [0, 8]);
    const completions = await ctx.cancelAll();
    expect(completions).to.deep.equal([]);
    expect([...await pending]).to.deep.equal([-ECANCELED, -ECANCELED]);
  });
});
