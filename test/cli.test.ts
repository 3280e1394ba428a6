import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ratioChart } from '../lib/cli/chart.js';
import { patternBytes, ROOT, runChild, type RunResult, scratchDir } from './support/helpers.js';

// The `linux-aio` command, run as users run it: a child process whose
// standard output and error are pipes (not a terminal), and under script(1)
// where a terminal matters.
const CLI = join(ROOT, 'dist/lib/cli.js');

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return runChild(process.execPath, [CLI, ...args], { timeoutMs: 20000, ...options });
}

/** Runs a bash command line (pipes, redirections, PIPESTATUS). */
function bash(line: string, cwd: string): Promise<RunResult> {
  return runChild('bash', ['-c', line], { cwd, timeoutMs: 20000 });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const node = `${quote(process.execPath)} ${quote(CLI)}`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function has(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('linux-aio command', function () {
  this.timeout(60000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = scratchDir()));
  afterEach(() => cleanup());

  describe('usage', () => {
    it('--help lists every command on stdout, status 0; no command prints it on stderr, status 2', async () => {
      const help = await cli(['--help']);
      expect(help.code).to.equal(0);
      for (const c of ['info', 'bench', 'cat', 'cp']) expect(help.stdout).to.match(new RegExp(`^  ${c} `, 'm'));
      const none = await cli([]);
      expect(none.code).to.equal(2);
      expect(none.stdout).to.equal('');
      expect(none.stderr).to.equal(help.stdout);
    });

    it('each command has --help (and help NAME) starting with its usage line, status 0', async () => {
      for (const c of ['info', 'bench', 'cat', 'cp']) {
        const [flag, word] = await Promise.all([cli([c, '--help']), cli(['help', c])]);
        expect(flag.code, c).to.equal(0);
        expect(flag.stdout, c).to.match(new RegExp(`^usage: linux-aio ${c} `));
        expect(word.stdout, c).to.equal(flag.stdout);
        expect(flag.stderr).to.equal('');
      }
    });

    it('--version prints the package version', async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const r = await cli(['--version']);
      expect([r.code, r.stdout]).to.deep.equal([0, `${pkg.version}\n`]);
    });

    it('usage errors: status 2, the reason and where to look, nothing on stdout', async () => {
      const cases: [string[], string][] = [
        [['frobnicate'], "linux-aio: 'frobnicate' is not a linux-aio command. See 'linux-aio --help'.\n"],
        [['cp'], "linux-aio: cp: missing file operand\nTry 'linux-aio cp --help' for more information.\n"],
        [['cp', 'a'], "linux-aio: cp: missing destination file operand after 'a'\nTry 'linux-aio cp --help' for more information.\n"],
        [['cp', 'a', 'b', 'c'], "linux-aio: cp: extra operand 'c'\nTry 'linux-aio cp --help' for more information.\n"],
        [['cp', '--depth', '0', 'a', 'b'], "linux-aio: cp: invalid --depth '0': a whole number from 1 to 1024\nTry 'linux-aio cp --help' for more information.\n"],
        [['cat', '--chunk=3X', 'a'], "linux-aio: cat: invalid --chunk '3X': a size from 4.0 KiB to 64.0 MiB, like 64K or 1M\nTry 'linux-aio cat --help' for more information.\n"],
        [['cat', '--depth'], "linux-aio: cat: option '--depth' requires an argument\nTry 'linux-aio cat --help' for more information.\n"],
        [['cp', '--verify=yes', 'a', 'b'], "linux-aio: cp: option '--verify' doesn't allow an argument\nTry 'linux-aio cp --help' for more information.\n"],
        [['info', '--fast'], "linux-aio: info: unrecognized option '--fast'\nTry 'linux-aio info --help' for more information.\n"],
        [['info', '-x'], "linux-aio: info: invalid option -- 'x'\nTry 'linux-aio info --help' for more information.\n"],
        [['bench', 'now'], "linux-aio: bench: extra operand 'now'\nTry 'linux-aio bench --help' for more information.\n"],
      ];
      for (const [args, stderr] of cases) {
        const r = await cli(args, { cwd: dir });
        expect([r.code, r.stdout, r.stderr], args.join(' ')).to.deep.equal([2, '', stderr]);
      }
    });
  });

  describe('cp', () => {
    const SIZE = (3 << 20) + 12345; // not a multiple of any chunk or block

    it('copies exactly, with several reads and writes in flight, and prints nothing', async () => {
      const data = patternBytes(SIZE, 7);
      writeFileSync(join(dir, 'src'), data);
      const r = await cli(['cp', '--depth', '3', '--chunk', '64K', 'src', 'dst'], { cwd: dir });
      expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
      expect(readFileSync(join(dir, 'dst')).equals(data)).to.equal(true);
      expect(readdirSync(dir).sort()).to.deep.equal(['dst', 'src']); // no temporary file left
    });

    it('--direct copies exactly, and the size is the source size, not a block multiple', async () => {
      const data = patternBytes(SIZE, 8);
      writeFileSync(join(dir, 'src'), data);
      const r = await cli(['cp', '--direct', '--chunk', '1M', 'src', 'dst'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      expect(statSync(join(dir, 'dst')).size).to.equal(SIZE);
      expect(readFileSync(join(dir, 'dst')).equals(data)).to.equal(true);
    });

    it('copies an empty file, replaces a longer destination keeping its mode, copies into a directory with the mode of SRC', async () => {
      writeFileSync(join(dir, 'empty'), '');
      writeFileSync(join(dir, 'long'), patternBytes(100000));
      chmodSync(join(dir, 'empty'), 0o640);
      chmodSync(join(dir, 'long'), 0o604);
      expect((await cli(['cp', 'empty', 'long'], { cwd: dir })).code).to.equal(0);
      expect(statSync(join(dir, 'long')).size).to.equal(0);
      expect(statSync(join(dir, 'long')).mode & 0o7777).to.equal(0o604);
      mkdirSync(join(dir, 'into'));
      writeFileSync(join(dir, 'x'), 'xyz');
      chmodSync(join(dir, 'x'), 0o640);
      expect((await cli(['cp', 'x', 'into'], { cwd: dir })).code).to.equal(0);
      expect(readFileSync(join(dir, 'into/x'), 'utf8')).to.equal('xyz');
      expect(statSync(join(dir, 'into/x')).mode & 0o777).to.equal(0o640);
    });

    it('--verify reads the copy back and prints its sha256', async () => {
      const data = patternBytes(SIZE, 9);
      writeFileSync(join(dir, 'src'), data);
      const r = await cli(['cp', '--verify', 'src', 'dst'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      expect(r.stdout).to.equal(`verified ${SIZE} bytes, sha256 ${sha256(data)}\n`);
    });

    it('--compare reports both throughputs and the ratio, and leaves no scratch file', async () => {
      writeFileSync(join(dir, 'src'), patternBytes(1 << 20));
      const r = await cli(['cp', '--compare', 'src', 'dst'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).to.match(/^linux-aio cp: 1\.0 MiB in \d+\.\d{3} s, [\d.]+ [KMG]iB\/s$/);
      expect(lines[1]).to.match(/^node:fs copyFile: 1\.0 MiB in \d+\.\d{3} s, [\d.]+ [KMG]iB\/s$/);
      expect(lines[2]).to.match(/^ratio \d+\.\d\dx \(node:fs time \/ linux-aio time; both timed to fdatasync/);
      expect(readdirSync(dir).sort()).to.deep.equal(['dst', 'src']);
    });

    it('a copy is not setuid, setgid or sticky; an unknown option named like an Object method is unknown', async () => {
      writeFileSync(join(dir, 'tool'), 'x');
      chmodSync(join(dir, 'tool'), 0o7755);
      expect((await cli(['cp', 'tool', 'copy'], { cwd: dir })).code).to.equal(0);
      expect(statSync(join(dir, 'copy')).mode & 0o7777).to.equal(0o755 & ~process.umask());
      const r = await cli(['cp', '--toString', 'x', 'tool', 'other'], { cwd: dir });
      expect([r.code, r.stderr.split('\n')[0]]).to.deep.equal([2, "linux-aio: cp: unrecognized option '--toString'"]);
    });

    it('refuses a destination that is not a regular file before writing anything', async () => {
      writeFileSync(join(dir, 'src'), 'data');
      const r = await cli(['cp', 'src', '/dev/null'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([1, "linux-aio: cp: '/dev/null' is not a regular file\n"]);
    });

    it('a copy that fails (ENOSPC) removes its new file and leaves DST as it was, or absent', async function () {
      // A 2 MiB tmpfs for a 3 MB file: the copy runs out of space (needs root to mount).
      const mnt = join(dir, 'small');
      mkdirSync(mnt);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' });
      } catch {
        this.skip();
      }
      try {
        const data = patternBytes(3_000_000, 5);
        writeFileSync(join(dir, 'src'), data);
        const none = await cli(['cp', '--direct', '--chunk', '64K', 'src', join(mnt, 'dst')], { cwd: dir });
        expect([none.code, none.stderr]).to.deep.equal([1, 'linux-aio: cp: ENOSPC: no space left on device, write\n']);
        expect(readdirSync(mnt)).to.deep.equal([]);
        const old = patternBytes(100_000, 6);
        writeFileSync(join(mnt, 'dst'), old);
        const over = await cli(['cp', '--chunk', '64K', 'src', join(mnt, 'dst')], { cwd: dir });
        expect([over.code, over.stderr]).to.deep.equal([1, 'linux-aio: cp: ENOSPC: no space left on device, write\n']);
        expect(readdirSync(mnt)).to.deep.equal(['dst']);
        expect(readFileSync(join(mnt, 'dst')).equals(old)).to.equal(true);
      } finally {
        execFileSync('umount', [mnt]);
      }
    });

    it('writes through a symlink DST, leaving the link; refuses a dangling one', async () => {
      writeFileSync(join(dir, 'src'), 'new');
      writeFileSync(join(dir, 'target'), 'old');
      symlinkSync('target', join(dir, 'link'));
      const r = await cli(['cp', 'src', 'link'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      expect(readlinkSync(join(dir, 'link'))).to.equal('target');
      expect(readFileSync(join(dir, 'target'), 'utf8')).to.equal('new');
      symlinkSync('nowhere', join(dir, 'dangling'));
      const dangling = await cli(['cp', 'src', 'dangling'], { cwd: dir });
      expect([dangling.code, dangling.stderr]).to.deep.equal([1, "linux-aio: cp: not writing through dangling symlink 'dangling'\n"]);
      expect(readdirSync(dir).sort()).to.deep.equal(['dangling', 'link', 'src', 'target']);
    });

    it('as a user who may not write DST, or make a file beside it: refused before anything is written', async function () {
      if (process.getuid?.() !== 0 || !has('setpriv')) this.skip(); // root, to act as nobody
      const nobody = (line: string) => runChild('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', line],
        { cwd: dir, timeoutMs: 20000 });
      chmodSync(dir, 0o777);
      // The Node running the tests may live where nobody cannot reach it (a
      // fetched Node under /root/.cache): nobody runs a copy of it.
      let exe = process.execPath;
      if ((await nobody(`test -x ${quote(exe)}`)).code !== 0) {
        exe = join(dir, 'node');
        copyFileSync(process.execPath, exe);
        chmodSync(exe, 0o755);
      }
      const node = `${quote(exe)} ${quote(CLI)}`;
      writeFileSync(join(dir, 'src'), 'new');
      writeFileSync(join(dir, 'readonly'), 'old');
      chmodSync(join(dir, 'readonly'), 0o444);
      const readonly = await nobody(`${node} cp src readonly`);
      expect([readonly.code, readonly.stderr]).to.deep.equal([1, "linux-aio: cp: EACCES: permission denied, access 'readonly'\n"]);
      expect(readFileSync(join(dir, 'readonly'), 'utf8')).to.equal('old');
      mkdirSync(join(dir, 'locked'), 0o755);
      const locked = await nobody(`${node} cp src locked/new`);
      expect([locked.code, locked.stderr]).to.deep.equal([1, "linux-aio: cp: EACCES: permission denied, access 'locked'\n"]);
      expect(readdirSync(join(dir, 'locked'))).to.deep.equal([]);
    });

    it('copies files of /proc and /sys, whose size says nothing, to their end; --direct on them is EINVAL', async function () {
      const cpuinfo = await cli(['cp', '--chunk', '4K', '/proc/cpuinfo', 'cpuinfo'], { cwd: dir });
      expect([cpuinfo.code, cpuinfo.stderr]).to.deep.equal([0, '']);
      // The clock rate lines may change between two reads; the rest does not.
      const steady = (text: string) => text.split('\n').filter((l) => !l.startsWith('cpu MHz')).join('\n');
      expect(steady(readFileSync(join(dir, 'cpuinfo'), 'utf8'))).to.equal(steady(readFileSync('/proc/cpuinfo', 'utf8')));
      expect(statSync('/proc/version').size).to.equal(0);
      expect((await cli(['cp', '/proc/version', 'version'], { cwd: dir })).code).to.equal(0);
      expect(readFileSync(join(dir, 'version'), 'utf8')).to.equal(readFileSync('/proc/version', 'utf8')).and.not.equal('');
      const direct = await cli(['cp', '--direct', '/proc/version', 'direct'], { cwd: dir });
      expect([direct.code, direct.stderr]).to.deep.equal([1, "linux-aio: cp: EINVAL: invalid argument, open '/proc/version'\n"]);
      expect(readdirSync(dir).sort()).to.deep.equal(['cpuinfo', 'version']);
      // A sysfs attribute says 4096 bytes, whatever it holds.
      const attribute = '/sys/class/net/lo/address';
      if (statSync(attribute, { throwIfNoEntry: false }) === undefined) this.skip();
      const sys = await cli(['cp', attribute, 'address'], { cwd: dir });
      expect([sys.code, sys.stderr]).to.deep.equal([0, '']);
      expect(readFileSync(join(dir, 'address'), 'utf8')).to.equal(readFileSync(attribute, 'utf8'));
    });

    it('failures: status 1 and node\'s message, prefixed with the command', async () => {
      const missing = await cli(['cp', 'nope', 'dst'], { cwd: dir });
      expect([missing.code, missing.stdout, missing.stderr])
        .to.deep.equal([1, '', "linux-aio: cp: ENOENT: no such file or directory, open 'nope'\n"]);
      mkdirSync(join(dir, 'd'));
      const directory = await cli(['cp', 'd', 'dst'], { cwd: dir });
      expect([directory.code, directory.stderr]).to.deep.equal([1, "linux-aio: cp: EISDIR: illegal operation on a directory, read 'd'\n"]);
      writeFileSync(join(dir, 'src'), 'keep me');
      const same = await cli(['cp', 'src', './src'], { cwd: dir });
      expect([same.code, same.stderr]).to.deep.equal([1, "linux-aio: cp: 'src' and './src' are the same file\n"]);
      expect(readFileSync(join(dir, 'src'), 'utf8')).to.equal('keep me');
      const noDir = await cli(['cp', 'src', 'no/such/dst'], { cwd: dir });
      expect([noDir.code, noDir.stderr]).to.deep.equal([1, "linux-aio: cp: ENOENT: no such file or directory, access 'no/such'\n"]);
    });
  });

  describe('cat', () => {
    it('writes the files in order, byte for byte', async () => {
      const a = patternBytes((2 << 20) + 1, 1);
      const b = patternBytes(777, 2);
      writeFileSync(join(dir, 'a'), a);
      writeFileSync(join(dir, 'b'), b);
      const r = await bash(`${node} cat --depth 5 --chunk 128K a b a > out`, dir);
      expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '', '']);
      expect(readFileSync(join(dir, 'out')).equals(Buffer.concat([a, b, a]))).to.equal(true);
    });

    it('reads standard input for - (and with no FILE)', async () => {
      writeFileSync(join(dir, 'a'), 'file\n');
      expect((await bash(`printf 'piped\\n' | ${node} cat - a`, dir)).stdout).to.equal('piped\nfile\n');
      expect((await bash(`printf 'only\\n' | ${node} cat`, dir)).stdout).to.equal('only\n');
    });

    it('reports a file it cannot read, goes on with the rest, then exits 1', async () => {
      writeFileSync(join(dir, 'a'), 'A');
      const r = await cli(['cat', 'a', 'missing', 'a', '.'], { cwd: dir });
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('AA');
      expect(r.stderr).to.equal("linux-aio: cat: ENOENT: no such file or directory, open 'missing'\n"
        + "linux-aio: cat: EISDIR: illegal operation on a directory, read '.'\n");
    });

    it('stops quietly when the reader goes away (| head)', async () => {
      writeFileSync(join(dir, 'big'), patternBytes(16 << 20));
      // bash, for PIPESTATUS: the status of cat itself, then what head let through.
      const r = await bash(`${node} cat big | head -c 10 | wc -c; echo "\${PIPESTATUS[0]}"`, dir);
      expect([r.stdout.split(/\s+/).filter(Boolean), r.stderr]).to.deep.equal([['10', '0'], '']);
    });
  });

  it('a reader that goes away is no failure for any command; an earlier failure still counts', async () => {
    writeFileSync(join(dir, 'big'), patternBytes(16 << 20));
    const status = async (line: string) => {
      const r = await bash(`${line}; echo "\${PIPESTATUS[0]}"`, dir);
      return [r.stdout.trim(), r.stderr];
    };
    expect(await status(`${node} info | true`)).to.deep.equal(['0', '']);
    expect(await status(`${node} --help | true`)).to.deep.equal(['0', '']);
    expect(await status(`${node} cat missing big | head -c 1 >/dev/null`))
      .to.deep.equal(['1', "linux-aio: cat: ENOENT: no such file or directory, open 'missing'\n"]);
  });

  describe('progress', () => {
    it('none when standard error is not a terminal', async () => {
      writeFileSync(join(dir, 'src'), patternBytes(8 << 20));
      const r = await cli(['cp', '--chunk', '64K', '--depth', '1', 'src', 'dst'], { cwd: dir });
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
    });

    it('a bar with bytes, rate and ETA on a terminal, cleared at the end', async function () {
      if (!has('script')) this.skip(); // script(1) gives the child a terminal
      writeFileSync(join(dir, 'src'), patternBytes(64 << 20));
      const r = await runChild('script', ['-qec', `${node} cp --chunk 64K --depth 1 src dst`, '/dev/null'], { cwd: dir, timeoutMs: 30000 });
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/\r\[#*\.*\] cp \d+% [\d.]+ [KMG]?i?B\/64\.0 MiB [\d.]+ [KMG]?i?B\/s ETA \d+:\d\d/);
      expect(r.stdout).to.match(/\r +\r$/); // the line is wiped, so the shell prompt starts clean
      expect(readFileSync(join(dir, 'dst')).length).to.equal(64 << 20);
    });
    it('cat draws it only when its output is not the terminal too', async function () {
      if (!has('script')) this.skip();
      writeFileSync(join(dir, 'src'), patternBytes(32 << 20));
      const toFile = await runChild('script', ['-qec', `${node} cat --chunk 64K --depth 1 src > out`, '/dev/null'], { cwd: dir, timeoutMs: 30000 });
      expect(toFile.code).to.equal(0);
      expect(toFile.stdout).to.match(/\r\[#*\.*\] src \d+% /);
      expect(readFileSync(join(dir, 'out')).length).to.equal(32 << 20);
      writeFileSync(join(dir, 'small'), 'to the terminal\n');
      const toTerminal = await runChild('script', ['-qec', `${node} cat small`, '/dev/null'], { cwd: dir, timeoutMs: 30000 });
      expect(toTerminal.stdout.replace(/\r/g, '')).to.equal('to the terminal\n');
    });
  });

  describe('info', () => {
    it('a yes/no line for each feature; O_DIRECT with its alignment on the path', async () => {
      const r = await cli(['info', dir]);
      expect([r.code, r.stderr]).to.deep.equal([0, '']);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).to.match(/^Linux \S+ \S+, node v\d+/);
      const names = ['kernel AIO', 'poll', 'fsync', 'RWF_NOWAIT', 'aio-nr', 'O_DIRECT', 'drop-in backend'];
      expect(lines.slice(1).map((l) => l.slice(0, 17).trim())).to.deep.equal(names);
      for (const l of lines.slice(1)) expect(l.slice(17), l).to.match(/^(yes|no ) {2}\S/);
      // The suite's temp dir is on a disk filesystem (O_DIRECT is part of what it tests):
      // yes, the filesystem by name (not its f_type in hex), and statx's alignment.
      expect(lines[6]).to.match(new RegExp(`^O_DIRECT +yes  ${dir} \\([a-z][\\w/]*\\): buffers aligned to \\d+ bytes, offsets and lengths to \\d+$`));
      expect(readdirSync(dir)).to.deep.equal([]); // its test file is gone
    });

    it('--json; the drop-in line says no, and why, when forced to node:fs', async () => {
      const r = await cli(['info', '--json', dir], { env: { ...process.env, LINUX_AIO_BACKEND: 'node-fs' } });
      expect(r.code).to.equal(0);
      const out = JSON.parse(r.stdout) as { path: string; features: { name: string; supported: boolean; detail: string }[] };
      expect(out.path).to.equal(dir);
      expect(out.features).to.have.length(7);
      expect(out.features.find((f) => f.name === 'drop-in backend')).to.deep.equal({
        name: 'drop-in backend', supported: false, detail: 'node-fs: linux-aio/promises falls back to node:fs (LINUX_AIO_BACKEND=node-fs)',
      });
    });

    it('on a filesystem without O_DIRECT says no and why; a missing path is an error', async () => {
      const missing = await cli(['info', join(dir, 'nope')]);
      expect([missing.code, missing.stderr]).to.deep.equal([1, `linux-aio: info: ENOENT: no such file or directory, stat '${join(dir, 'nope')}'\n`]);
      // /proc takes no O_DIRECT opens and no new files.
      const proc = await cli(['info', '/proc/version']);
      expect(proc.code).to.equal(0);
      expect(proc.stdout).to.match(/^O_DIRECT +no {3}\/proc\/version \(proc\): the filesystem refuses O_DIRECT \(EINVAL\)$/m);
    });
  });

  describe('bench', () => {
    it('the bar chart: one bar per ratio, coloured by the target, a tick per target', () => {
      const row = (workload: string, ratio: number, target: string, met: boolean) => ({
        workload, ratio, target, met, unit: 'ops/s', ours: { name: 'ours', value: 1 }, versus: { name: 'theirs', value: 1 },
      });
      const svg = ratioChart({ node: 'v20', quick: true, seconds: 1, rows: [
        row('fast & <cached>', 7.1, '>= 10x', false),
        row('latency', 0.15, '<= 0.3x', true),
        row('memory', NaN, '<= 8 MiB', true),
        row('stall', 1.2, 'figure', true),
      ] });
      expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.match(/<rect x=/g)).to.have.length(3); // the NaN row has no bar
      expect(svg).to.include('fast &amp; &lt;cached&gt;');
      expect(svg).to.include('fill="#e65100"').and.include('fill="#2e7d32"').and.include('fill="#9e9e9e"');
      expect(svg.match(/<title>target/g)).to.have.length(2);
      expect(svg).to.include('>7.10x<').and.include('>0.15x<');
    });

    it('refuses an --svg path it could not write before measuring anything', async () => {
      const r = await cli(['bench', '--quick', '--svg', join(dir, 'no/such/chart.svg')]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`linux-aio: bench: ENOENT: no such file or directory, access '${join(dir, 'no/such')}'\n`);
    });
  });
});
