import { expect } from 'chai';
import { writeSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

import { AioContext, constants } from '../lib/index.js';
import { Fds, makePipe, scratchDir, tick } from './support/helpers.js';

const { POLLIN, POLLOUT } = constants;

describe('poll', () => {
  const scratch = scratchDir();
  const fds = new Fds();
  let ctx: AioContext;

  beforeEach(() => { ctx = new AioContext({ maxEvents: 32 }); });
  afterEach(async () => { await ctx.close(); fds.closeAll(); });
  after(() => scratch.cleanup());

  it('stays pending on an empty pipe until the other end writes', async () => {
    const [r, w] = makePipe(scratch.dir, fds);
    let settled = false;
    const req = ctx.poll(r, POLLIN, { tag: 'pipe' });
    void req.then(() => { settled = true; });
    for (let i = 0; i < 5; i++) await tick();
    expect(settled).to.equal(false);
    expect(ctx.inFlight).to.equal(1);
    writeSync(w, 'x');
    const c = await req;
    expect(c.res & POLLIN).to.equal(POLLIN);
    expect(c.cancelled).to.equal(false);
    expect(c.request.tag).to.equal('pipe');
    expect(ctx.inFlight).to.equal(0);
  });

  it('resolves at once when the fd is already ready (POLLOUT on a pipe)', async () => {
    const [, w] = makePipe(scratch.dir, fds);
    const c = await ctx.poll(w, POLLOUT);
    expect(c.res & POLLOUT).to.equal(POLLOUT);
  });

  describe('on a socket', () => {
    let server: Server;
    let client: Socket;
    let accepted: Socket;

    before(async () => {
      server = createServer({ pauseOnConnect: true });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const acceptedP = new Promise<Socket>((resolve) => server.once('connection', resolve));
      client = createConnection((server.address() as { port: number }).port, '127.0.0.1');
      await new Promise((resolve) => client.once('connect', resolve));
      accepted = await acceptedP;
    });
    after(async () => {
      client.destroy();
      accepted.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('stays pending until the peer writes, then resolves with POLLIN', async () => {
      // pauseOnConnect: libuv does not read this socket, so the data waits.
      const fd = (accepted as unknown as { _handle: { fd: number } })._handle.fd;
      expect(fd).to.be.a('number').greaterThan(2);
      let settled = false;
      const req = ctx.poll(fd, POLLIN);
      void req.then(() => { settled = true; });
      for (let i = 0; i < 5; i++) await tick();
      expect(settled).to.equal(false);
      client.write('hello');
      const c = await req;
      expect(c.res & POLLIN).to.equal(POLLIN);
    });
  });
});
