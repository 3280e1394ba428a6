import { expect } from 'chai';
import { join } from 'node:path';

import { preloadEnv, ROOT, runChild, scratchDir, syscallShim } from './support/helpers.js';

// The model fuzz test shares two contexts across its programs and reopens
// one after each close step. Another process may hold every AIO event of
// the machine for a while (fs.aio-max-nr), and io_setup then says EAGAIN:
// the fuzz test must wait that out, not fail, nor leave a closed context to
// the programs after it. Here io_setup refuses five times in a row, early
// in a short run, in a child mocha running only the model test.
describe('model fuzz harness', () => {
  const scratch = scratchDir();
  after(() => scratch.cleanup());

  it('waits out io_setup refusing with EAGAIN for a while, and fails nothing', async function () {
    this.timeout(120000);
    const shim = syscallShim(scratch.dir, 'eagain-run', `
      if (n == SYS_io_setup && ++setups >= 10 && setups < 15) { errno = EAGAIN; return -1; }`,
    'static int setups;');
    if (shim === null) this.skip();
    const r = await runChild(process.execPath, [
      join(ROOT, 'node_modules/mocha/bin/mocha.js'), '--no-config', '--timeout', '100000',
      join(ROOT, 'dist/test/model.test.js'),
    ], { env: { ...preloadEnv(shim!), FUZZ_RUNS: '200', FUZZ_SEED: '14' }, timeoutMs: 110000 });
    expect(r.timedOut, 'the fuzz run hung').to.equal(false);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/1 passing/);
  });
});
