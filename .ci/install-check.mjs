// Run inside an app that installed the packed tarball: `prebuild` expects
// kernel AIO through the prebuilt addon; `none` expects the addon missing,
// ERR_AIO_UNAVAILABLE from AioContext and the drop-in on node:fs.
import { existsSync, openSync, closeSync } from 'node:fs';
import { AioContext } from 'linux-aio';
import * as fs from 'linux-aio/promises';

const mode = process.argv[2];
const how = process.argv[3] ? `, ${process.argv[3]}` : '';
const fail = (why) => { console.error(`install-check (${mode}${how}, Node ${process.version}): ${why}`); process.exit(1); };
const text = await fs.readFile('package.json', 'utf8');
if (!text.startsWith('{')) fail('the drop-in read package.json wrong');

if (mode === 'prebuild') {
  if (existsSync('node_modules/linux-aio/build')) fail('the install compiled the addon instead of using the prebuild');
  const ctx = new AioContext();
  const fd = openSync('package.json', 'r');
  const buf = Buffer.alloc(16);
  const done = await ctx.read(fd, buf, 0);
  closeSync(fd);
  await ctx.close();
  if (done.res !== 16 || buf.toString() !== text.slice(0, 16)) fail(`AioContext.read gave ${done.res}`);
  const fh = await fs.open('package.json');
  await fh.read(Buffer.alloc(16), 0, 16, 0);
  await fh.close();
  if (fs.backend !== 'kernel-aio' || fs.stats().kernel < 1) fail(`the drop-in is on ${fs.backend}: ${fs.stats().reason}`);
} else if (mode === 'none') {
  try {
    new AioContext();
    fail('AioContext was created without an addon');
  } catch (error) {
    if (error.code !== 'ERR_AIO_UNAVAILABLE' || !error.message.includes('npm rebuild linux-aio')) fail(`AioContext threw ${error.code}: ${error.message}`);
  }
  if (fs.backend !== 'node-fs' || !/addon did not load/.test(fs.stats().reason)) fail(`the drop-in says ${fs.backend}: ${fs.stats().reason}`);
} else {
  fail('usage: node install-check.mjs prebuild|none');
}
console.log(`install-check (${mode}${how}): ok on Node ${process.version}`);
