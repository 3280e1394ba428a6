// npm's install step. node-gyp-build keeps a prebuild that loads into this
// Node, or else compiles the addon with node-gyp. Where neither works (a new
// Node major, musl, another architecture, no compiler) the install still
// succeeds: AioContext then throws ERR_AIO_UNAVAILABLE saying why, and
// linux-aio/promises runs on node:fs. A failed install would leave the
// application with nothing, drop-in included.
'use strict';
const { spawnSync } = require('node:child_process');

const target = `Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch})`;

function warn(lines) {
  process.stderr.write(lines.map((line) => `linux-aio: ${line}\n`).join(''));
}

if (process.platform !== 'linux') {
  warn([`kernel AIO is Linux-only; on ${process.platform}, linux-aio/promises runs on node:fs.`]);
  process.exit(0);
}

const run = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { stdio: 'inherit' });
if (run.status !== 0) {
  const how = run.error ? run.error.message : run.signal ? `signal ${run.signal}` : `exit code ${run.status}`;
  warn([
    `no prebuilt addon fits ${target}, and building one failed (${how}).`,
    'The install goes on without it: AioContext throws ERR_AIO_UNAVAILABLE, and',
    'linux-aio/promises runs on node:fs (its stats().reason says why).',
    'To get kernel AIO, install g++, make and Python 3, then run: npm rebuild linux-aio',
  ]);
}
process.exit(0);
