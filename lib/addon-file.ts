// Which addon file serves this Node. The addon holds V8 BackingStores, so a
// binary serves only the Node ABI it was built for (process.versions.modules);
// its init refuses any other. Tried in order:
//
//   1. build/Release (or build/Debug): what `npm install` or `npm rebuild`
//      compiled here, for whichever Node ran that install;
//   2. prebuilds/<platform>-<arch>/node.abi<N>.<libc>.node: the prebuild for
//      this ABI, matched by node-gyp-build's own tag rules, as its install
//      step matched it.
//
// A local build of another ABI (the Node was upgraded after install) falls
// through to the prebuild instead of leaving the process without kernel AIO.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join, relative } from 'node:path';

interface Tags { file: string }
interface NodeGypBuild {
  parseTags(file: string): Tags | undefined;
  matchTags(runtime: string, abi: string): (tags: Tags | undefined) => tags is Tags;
  compareTags(runtime: string): (a: Tags, b: Tags) => number;
}

const require = createRequire(import.meta.url);

/**
 * The prebuild node-gyp-build would choose for this Node in `root`, or null.
 * Where node-gyp-build cannot be resolved (a layout that hides it), the
 * name npm run prebuild gives is looked for as it is.
 */
export function prebuildFor(root: string): string | null {
  const dir = join(root, 'prebuilds', `${platform()}-${arch()}`);
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return null;
  }
  const abi = process.versions.modules;
  let ngb: NodeGypBuild;
  try {
    ngb = require('node-gyp-build') as NodeGypBuild;
  } catch {
    const ours = `node.abi${abi}.glibc.node`;
    return files.includes(ours) ? join(dir, ours) : null;
  }
  const winner = files.map((f) => ngb.parseTags(f))
    .filter(ngb.matchTags('node', abi))
    .sort(ngb.compareTags('node'))[0];
  return winner ? join(dir, winner.file) : null;
}

/** The files that may serve this Node, in the order they are tried. */
export function addonCandidates(root: string): string[] {
  const builds = ['build/Release', 'build/Debug']
    .map((dir) => join(root, dir, 'linux_aio.node'))
    .filter((file) => existsSync(file));
  const prebuild = prebuildFor(root);
  return prebuild === null ? builds : [...builds, prebuild];
}

/**
 * Loads the first candidate that starts in this Node. Throws an Error saying
 * what was tried and why each failed; native.ts turns it into the
 * ERR_AIO_UNAVAILABLE that AioContext throws.
 */
export function loadAddon<T>(root: string): T {
  const target = `Node ${process.version} (ABI ${process.versions.modules}, ${platform()}-${arch()})`;
  const candidates = addonCandidates(root);
  if (candidates.length === 0) {
    throw new Error(`no addon was built for ${target} and no prebuild fits it`);
  }
  const failures: string[] = [];
  for (const file of candidates) {
    try {
      return require(file) as T;
    } catch (error) {
      failures.push(`${relative(root, file)}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no addon here starts in ${target}: ${failures.join('; ')}`);
}
