// npm's install step.
//
// - Installed as a dependency: keep what already loads into this Node (a
//   prebuild for its ABI, or an earlier build), else compile the addon with
//   node-gyp. Where neither works (a new Node major, musl, another
//   architecture, no compiler) the install still succeeds: AioContext then
//   throws ERR_AIO_UNAVAILABLE saying why, and linux-aio/promises runs on
//   node:fs. A failed install would leave the application with nothing,
//   drop-in included.
// - `npm install` in this repository, or --build-from-source: always compile,
//   so that the tests test these sources; a failed build fails the install.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = resolve(__dirname, '..');
const target = `Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch})`;

function warn(lines) {
  process.stderr.write(lines.map((line) => `linux-aio: ${line}\n`).join(''));
}

/** Whether the package's own loader (dist/lib/addon-file.js) finds an addon that starts in this Node. */
function loads() {
  const loader = join(root, 'dist/lib/addon-file.js');
  if (!existsSync(loader)) return false;
  const check = `const { loadAddon } = await import(${JSON.stringify(pathToFileURL(loader).href)}); loadAddon(${JSON.stringify(root)});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', check], { stdio: 'ignore' }).status === 0;
}

/** Compiles the addon (node-gyp-build's bin finds node-gyp); returns why it failed, or null. */
function build() {
  let bin;
  try {
    bin = require.resolve('node-gyp-build/bin.js');
  } catch (error) {
    return error.message;
  }
  const env = { ...process.env, npm_config_build_from_source: 'true' };
  const run = spawnSync(process.execPath, [bin], { stdio: 'inherit', env, cwd: root });
  if (run.status === 0) return null;
  return run.error ? run.error.message : run.signal ? `signal ${run.signal}` : `exit code ${run.status}`;
}

if (process.platform !== 'linux') {
  warn([`kernel AIO is Linux-only; on ${process.platform}, linux-aio/promises runs on node:fs.`]);
  process.exit(0);
}

// npm and pnpm set INIT_CWD to where the install was started; a package
// manager that does not is taken for a dependency install, which never fails.
const developing = process.env.INIT_CWD !== undefined && resolve(process.env.INIT_CWD) === root;
if (developing || process.env.npm_config_build_from_source === 'true') {
  const failed = build();
  if (failed === null) process.exit(0);
  if (developing) {
    warn([`building the addon failed (${failed}). It needs Python 3, make and a C++ compiler.`]);
    process.exit(1);
  }
} else if (loads() || build() === null) {
  process.exit(0);
}
warn([
  `no prebuilt addon fits ${target}, and building one failed.`,
  'The install goes on without it: AioContext throws ERR_AIO_UNAVAILABLE, and',
  'linux-aio/promises runs on node:fs (its stats().reason says why).',
  'To get kernel AIO, install g++, make and Python 3, then run: npm rebuild linux-aio',
]);
process.exit(0);
